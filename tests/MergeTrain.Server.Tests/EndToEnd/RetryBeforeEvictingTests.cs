using System.Text.RegularExpressions;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.Dashboard;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 12, retry before evicting, through the real server and the fake GitLab: a failed car
/// pipeline has its failed jobs retried in place (GitLab's pipeline retry), the car keeps its place,
/// the note says what was decided, and the flake record shows on the dashboard and in /metrics.
/// </summary>
public class RetryBeforeEvictingTests
{
    [Test]
    public async Task A_flaky_job_passes_on_retry_and_the_car_merges_in_place_without_rebuilding_the_car_behind()
    {
        await using var world = await StartAsync();
        var gitLab = world.GitLab;
        var (a, b) = await TwoHeldCarsAsync(world);
        gitLab.Ci.FailJob(CarBranch(a.Mr.Iid), "unit-tests", times: 1);

        // A's pipeline fails on unit-tests; the train retries that job in the same pipeline.
        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.Ci.HeldPipelineIds.Contains(a.Pipeline) && gitLab.GetPipeline(a.Pipeline).Jobs.Count == 4, because: "the retried job to run");
        gitLab.GetPipeline(a.Pipeline).Jobs.Where(job => job.Retried).Select(job => job.Name).ShouldBe(["unit-tests"]);
        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();

        var merged = await world.WaitForCarAsync(a.Mr.Iid, "merged");
        merged.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(a.Pipeline);
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(gitLab.GetPipeline(a.Pipeline).Sha);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, a.Mr.Iid).Any(n => n.Body.Contains($"pipeline #{a.Pipeline} passed on retry; flaky jobs: unit-tests", StringComparison.Ordinal)),
            because: "the note naming the flaky job");

        // B kept its pipeline, built on A's car commit, all along: nothing was rebuilt.
        gitLab.GetPipeline(b.Pipeline).IsFinished.ShouldBeFalse();
        gitLab.Ci.Release(b.Pipeline).ShouldBeTrue();
        var mergedB = await world.WaitForCarAsync(b.Mr.Iid, "merged");
        mergedB.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(b.Pipeline);
        world.CarPipelines.Select(p => p.Id).ShouldBe([a.Pipeline, b.Pipeline]);

        (await FlakyJobsPageAsync(world)).ShouldMatch(@"<code>unit-tests</code></td><td>1</td><td>1</td><td>0</td>");
        (await MetricsAsync(world)).ShouldMatch(MetricLine("unit-tests", "passed_on_retry"));
        (await world.QueryAsync<long>("SELECT passed_on_retry FROM flaky_jobs WHERE job_name = 'unit-tests'")).ShouldBe(1);
    }

    [Test]
    public async Task A_job_that_fails_again_drops_the_car_with_a_note_naming_it_and_only_then_the_car_behind_is_rebuilt()
    {
        await using var world = await StartAsync();
        var gitLab = world.GitLab;
        var (a, b) = await TwoHeldCarsAsync(world);
        gitLab.Ci.FailJob(CarBranch(a.Mr.Iid), "integration");

        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.Ci.HeldPipelineIds.Contains(a.Pipeline) && gitLab.GetPipeline(a.Pipeline).Jobs.Count == 4, because: "the retried job to run");
        gitLab.GetPipeline(b.Pipeline).IsFinished.ShouldBeFalse("the car behind keeps its pipeline while the retry runs");
        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();

        await world.WaitForCarAsync(a.Mr.Iid, "dropped");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, a.Mr.Iid).Any(n => n.Body.Contains(
                $"because the pipeline did not succeed (pipeline #{a.Pipeline} failed again after a retry; jobs that failed again: integration)", StringComparison.Ordinal)),
            because: "the note naming the job that failed again");
        gitLab.GetPipeline(a.Pipeline).Status.ShouldBe(PipelineStatuses.Failed);

        // B is rebuilt on the target without A, and merges.
        var rebuilt = await world.WaitForNewPipelineAsync(b.Mr.Iid, b.Pipeline);
        gitLab.GetPipeline(b.Pipeline).Status.ShouldBe(PipelineStatuses.Canceled);
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        (await world.WaitForCarAsync(b.Mr.Iid, "merged")).GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(rebuilt);

        (await FlakyJobsPageAsync(world)).ShouldMatch(@"<code>integration</code></td><td>1</td><td>0</td><td>1</td>");
        (await MetricsAsync(world)).ShouldMatch(MetricLine("integration", "failed_again"));
    }

    [Test]
    public async Task A_retry_whose_answer_was_lost_is_sent_again_and_the_repeat_retries_nothing_more()
    {
        await using var proxy = await GitLabProxy.BadGatewayOnFirstRetryAsync();
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, gitLab =>
        {
            proxy.Upstream = gitLab.BaseUrl;
            return [$"--MergeTrain:Projects:0:GitLabUrl={proxy.Url}", "--MergeTrain:Projects:0:FailedPipelineRetries=1"];
        });
        world.GitLab.Ci.JobNames = ["lint", "unit-tests"];
        var mr = await world.OpenMergeRequestAsync("a", "A", new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.FailJob(CarBranch(mr.Iid), "unit-tests", times: 1);

        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();

        var merged = await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(90));
        var pipeline = world.GitLab.GetPipeline(merged.GetProperty("pipeline").GetProperty("id").GetInt64());
        var seen = $"jobs: {string.Join(", ", pipeline.Jobs.Select(job => $"{job.Name} {job.Status}{(job.Retried ? " (retried)" : "")}"))}";
        proxy.PipelineRetries.ShouldBe(2, $"the retry answered 502 was sent again ({seen})");
        pipeline.Jobs.Count(job => job.Name == "unit-tests").ShouldBe(2, $"the repeat found nothing failed to retry ({seen})");
        world.CarPipelines.ShouldHaveSingleItem();
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => world.GitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body.Contains("passed on retry; flaky jobs: unit-tests", StringComparison.Ordinal)),
            because: "the note naming the flaky job");
    }

    private static Task<TrainWorld> StartAsync() => TrainWorld.StartAsync(
        new Dictionary<string, string> { ["lint.rules"] = "# one forbidden word per line\n", ["app.txt"] = "hello\n" },
        20,
        "--MergeTrain:Projects:0:FailedPipelineRetries=1");

    /// <summary>MRs A and B on the train, A first, each with its held car pipeline of three jobs.</summary>
    private static async Task<((FakeMergeRequest Mr, long Pipeline) A, (FakeMergeRequest Mr, long Pipeline) B)> TwoHeldCarsAsync(TrainWorld world)
    {
        world.GitLab.Ci.JobNames = ["lint", "unit-tests", "integration"];
        var a = await world.OpenMergeRequestAsync("a", "A", new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        var b = await world.OpenMergeRequestAsync("b", "B", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        world.GitLab.Ci.HoldPipelines = true;
        foreach (var mr in new[] { a, b })
        {
            using var added = await world.AddThroughApiAsync(mr.Iid);
            added.EnsureSuccessStatusCode();
        }

        return ((a, await world.WaitForPipelineAsync(a.Iid)), (b, await world.WaitForPipelineAsync(b.Iid)));
    }

    private static string CarBranch(long iid) => $"merge-train/main/{iid}";

    private static async Task<string> FlakyJobsPageAsync(TrainWorld world)
    {
        using var browser = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);
        return await browser.PageAsync("/hangfire/flaky-jobs");
    }

    private static async Task<string> MetricsAsync(TrainWorld world)
    {
        using var response = await world.Server.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        return await response.Content.ReadAsStringAsync();
    }

    // The counter is process-wide: another test in this process may have counted too, so at least 1.
    private static string MetricLine(string job, string outcome) =>
        $@"mergetrain_flaky_job_retries_total\{{[^}}\n]*job=""{Regex.Escape(job)}""[^}}\n]*outcome=""{outcome}""[^}}\n]*\}} [1-9]";
}
