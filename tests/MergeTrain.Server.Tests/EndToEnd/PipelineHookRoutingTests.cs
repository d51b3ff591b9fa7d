using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// SPEC section 5, Pipeline Hook: a pipeline that finishes at once (a CI config error) sends its
/// hooks before the service has recorded the pipeline it just created (GitLab answers the creation
/// late, here through a slow proxy); those hooks must still count.
/// </summary>
public class PipelineHookRoutingTests
{
    // Well under the pipeline poller's fallback (a minute of quiet, then every 30 s).
    private static readonly TimeSpan WellBeforeThePoller = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_car_pipeline_that_fails_at_once_drops_the_car_without_waiting_for_the_poller()
    {
        await using var slowGitLab = await GitLabProxy.SlowAsync(TimeSpan.FromMilliseconds(500));
        await using var world = await StartBehindAsync(slowGitLab);
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("broken-ci", "Break CI", new Dictionary<string, string?> { ["ci.txt"] = "bad\n" });
        gitLab.Ci.PipelineDuration = TimeSpan.Zero;
        gitLab.Ci.ForceResult($"merge-train/main/{mr.Iid}", PipelineStatuses.Failed);

        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var dropped = await world.WaitForCarAsync(mr.Iid, "dropped", WellBeforeThePoller);
        dropped.GetProperty("pipeline").GetProperty("status").GetString().ShouldBe("failed");
    }

    [Test]
    public async Task A_merged_results_pipeline_that_fails_at_once_is_reported_without_waiting_for_the_poller()
    {
        await using var slowGitLab = await GitLabProxy.SlowAsync(TimeSpan.FromMilliseconds(500));
        await using var world = await StartBehindAsync(slowGitLab);
        var gitLab = world.GitLab;
        gitLab.Ci.PipelineDuration = TimeSpan.Zero;
        gitLab.Ci.ForceResult("merged-results/1", PipelineStatuses.Failed);

        var mr = await world.OpenMergeRequestAsync("broken-ci", "Break CI", new Dictionary<string, string?> { ["ci.txt"] = "bad\n" });

        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.CommitStatuses.Any(s => s.Sha == mr.Sha && s.Name == "merge-train" && s.State == "failed"),
            WellBeforeThePoller,
            "a failed merge-train status on the MR head");
    }

    private static Task<TrainWorld> StartBehindAsync(GitLabProxy slowGitLab) =>
        TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, gitLab =>
        {
            slowGitLab.Upstream = gitLab.BaseUrl;
            return [$"--MergeTrain:Projects:0:GitLabUrl={slowGitLab.Url}"];
        });
}
