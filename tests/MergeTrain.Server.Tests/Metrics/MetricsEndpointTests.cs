using System.Net;
using MergeTrain.Server.Tests.EndToEnd;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Metrics;

/// <summary>The Prometheus endpoint of a service that merged something.</summary>
public class MetricsEndpointTests
{
    [Test]
    public async Task Metrics_report_merges_time_to_merge_cars_jobs_and_pipeline_time_in_prometheus_format()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForCarAsync(mr.Iid, "merged");
        using var anonymous = new HttpClient { BaseAddress = world.Server.Client.BaseAddress };

        var response = await anonymous.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, "metrics need no token");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        text.ShouldContain("# TYPE mergetrain_merges_total counter");
        text.ShouldContain("mergetrain_merges_total{project=\"acme/widgets\",target_branch=\"main\"} 1");
        text.ShouldContain("# TYPE mergetrain_time_to_merge_seconds histogram");
        text.ShouldContain("mergetrain_time_to_merge_seconds_count{project=\"acme/widgets\",target_branch=\"main\"} 1");
        text.ShouldContain("mergetrain_time_to_merge_seconds_bucket{project=\"acme/widgets\",target_branch=\"main\",le=\"+Inf\"} 1");
        text.ShouldContain("# TYPE mergetrain_cars gauge");
        text.ShouldContain("mergetrain_jobs{state=\"Succeeded\"}");
        text.ShouldContain("# TYPE mergetrain_pipeline_seconds_total counter");
        text.ShouldContain("# TYPE mergetrain_pipeline_wasted_seconds_total counter");
        text.ShouldContain("mergetrain_job_start_latency_seconds_count{job=\"TrainJobs.Refresh\"}");
    }
}
