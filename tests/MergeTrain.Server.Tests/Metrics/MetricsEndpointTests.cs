using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
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
        text.ShouldContain("mergetrain_window{project=\"acme/widgets\",target_branch=\"main\"} 20");
        text.ShouldContain("mergetrain_ci_budget_spent{project=\"acme/widgets\",target_branch=\"main\"} 0");
    }

    [Test]
    public async Task Overlapping_scrapes_each_get_every_family_once_and_every_active_car_and_job_state()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        await world.HeldTrainOfThreeAsync();
        using var anonymous = new HttpClient { BaseAddress = world.Server.Client.BaseAddress };

        // Rounds of scrapes at once, enough that refreshing the cluster gauges for one overlaps writing another.
        var scrapes = new List<string>();
        for (var round = 0; round < 20; round++)
        {
            scrapes.AddRange(await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => anonymous.GetStringAsync(new Uri("/metrics", UriKind.Relative)))));
        }

        var families = Families(scrapes[0]);
        families.ShouldBeUnique();
        families.ShouldContain("mergetrain_cars");
        families.ShouldContain("mergetrain_jobs");
        families.ShouldContain("mergetrain_job_start_latency_seconds");
        foreach (var text in scrapes)
        {
            Families(text).ShouldBe(families, "every scrape declares the same families, each once");
            Samples(text, "mergetrain_cars").Sum(s => s.Value).ShouldBe(3, "the three held cars are active in every scrape:\n" + text);
            Samples(text, "mergetrain_jobs").Select(s => s.Labels).ShouldBe(
                ["state=\"Deleted\"", "state=\"Enqueued\"", "state=\"Failed\"", "state=\"Processing\"", "state=\"Scheduled\"", "state=\"Succeeded\""],
                ignoreOrder: true, "every job state in every scrape:\n" + text);
        }
    }

    private static List<string> Families(string text) =>
        Regex.Matches(text, @"^# TYPE (\S+) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    private static List<(string Labels, double Value)> Samples(string text, string name) =>
        Regex.Matches(text, $@"^{name}\{{([^}}]*)\}} (\S+)$", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
}
