using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 13, the adaptive window's optional part: the train stays within the runner capacity that
/// GitLab reports (the project's pending jobs), asked by the runner-queue poll.
/// </summary>
public class WindowFollowsRunnersTests
{
    [Test]
    public async Task With_one_runner_the_queued_pipelines_behind_the_running_car_are_cancelled_and_every_MR_still_merges()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n" },
            20,
            "--MergeTrain:Projects:0:WindowFollowsRunners=true",
            "--MergeTrain:PipelinePolling:Every=00:00:01");
        var gitLab = world.GitLab;
        gitLab.Ci.Runners = 1;
        var mrs = new List<FakeMergeRequest>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            mrs.Add(await world.OpenMergeRequestAsync(name, name.ToUpperInvariant(), new Dictionary<string, string?> { [$"{name}.txt"] = $"{name}\n" }));
        }

        gitLab.Ci.HoldPipelines = true;
        foreach (var mr in mrs)
        {
            (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        }

        // Read from GitLab's side: the train may cancel B's and C's before the API would show them.
        await TrainWorld.WaitUntilAsync(() => Task.FromResult(world.CarPipelines.Count >= 3), "a pipeline for each car");
        var first = world.CarPipelines.Single(p => p.Ref == $"merge-train/main/{mrs[0].Iid}").Id;
        var queued = mrs.Skip(1).Select(mr => world.CarPipelines.Single(p => p.Ref == $"merge-train/main/{mr.Iid}").Id).ToList();

        // The runner runs A's pipeline; B's and C's wait for it, and the poll tells the train, which
        // cancels them: no runner had taken them, so nothing was spent.
        await TrainWorld.WaitUntilAsync(
            () => Task.FromResult(queued.All(id => gitLab.GetPipeline(id).Status == PipelineStatuses.Canceled)),
            "B's and C's queued pipelines cancelled");
        gitLab.GetPipeline(first).Status.ShouldBe(PipelineStatuses.Running);
        queued.ShouldAllBe(id => gitLab.GetPipeline(id).Jobs.All(job => job.StartedAt == null), "no runner took their jobs");
        gitLab.Requests.ShouldContain(r => r.Method == "GET" && r.Path == $"/api/v4/projects/{TrainWorld.ProjectId}/jobs" && r.Query.Contains("pending", StringComparison.Ordinal));
        foreach (var waiting in mrs.Skip(1))
        {
            var car = (await world.CarAsync(waiting.Iid))!.Value;
            car.GetProperty("pipeline").ValueKind.ShouldBe(JsonValueKind.Null, $"!{waiting.Iid} waits for room");
        }

        (await world.QueryAsync<long>(
            "SELECT count(*) FROM audit_events WHERE iid IS NULL AND reason LIKE 'GitLab reports % job(s) of the project waiting for a runner: only as many cars run pipelines as the runners run (1)'"))
            .ShouldBeGreaterThan(0);
        (await LaterGreenAbsolvesTests.TrainsPageAsync(world)).ShouldContain("runners full: 1 run", Case.Sensitive, "the Trains page says why the cars behind wait");

        // A passes and merges; the runner is free, the queue empty, and the train goes on: every MR merges.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.Release(first).ShouldBeTrue();
        foreach (var mr in mrs)
        {
            await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(60));
        }

        await TrainWorld.WaitUntilAsync(
            async () => await world.QueryAsync<long>("SELECT count(*) FROM audit_events WHERE iid IS NULL AND reason = 'no job of the project waits for a runner: as many cars run pipelines as the window lets'") > 0,
            "the next poll lifts the bound: no job waits");
        var head = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        gitLab.Pipelines.ShouldContain(p => p.Sha == head && p.Status == PipelineStatuses.Success, "the target is at a tested commit");
    }

    [Test]
    public async Task While_GitLab_refuses_to_list_the_pending_jobs_the_rounds_fail_for_the_operator_and_the_next_answer_is_acted_on()
    {
        await using var proxy = await GitLabProxy.RefusingJobListsAsync(times: 3);
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, gitLab =>
        {
            proxy.Upstream = gitLab.BaseUrl;
            return
            [
                $"--MergeTrain:Projects:0:GitLabUrl={proxy.Url}",
                "--MergeTrain:Projects:0:WindowFollowsRunners=true",
                "--MergeTrain:PipelinePolling:Every=00:00:01",
            ];
        });
        var gitLab = world.GitLab;
        gitLab.Ci.Runners = 1;
        gitLab.Ci.HoldPipelines = true;
        var a = await world.OpenMergeRequestAsync("a", "A", new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        var b = await world.OpenMergeRequestAsync("b", "B", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(a.Iid)).EnsureSuccessStatusCode();
        (await world.AddThroughApiAsync(b.Iid)).EnsureSuccessStatusCode();
        await TrainWorld.WaitUntilAsync(() => Task.FromResult(world.CarPipelines.Count >= 2), "a pipeline for each car");
        var queued = world.CarPipelines.Single(p => p.Ref == $"merge-train/main/{b.Iid}").Id;

        // The refused rounds fail, each on Hangfire's Failed page; then GitLab answers, and B's queued pipeline is cancelled.
        await TrainWorld.WaitUntilAsync(() => Task.FromResult(gitLab.GetPipeline(queued).Status == PipelineStatuses.Canceled), "B's queued pipeline cancelled once GitLab answers");
        proxy.JobListsRefused.ShouldBe(3);
        (await world.QueryAsync<long>("SELECT count(*) FROM hangfire.job WHERE statename = 'Failed' AND invocationdata::text LIKE '%PollRunnerQueues%'"))
            .ShouldBeGreaterThanOrEqualTo(1, "a round GitLab did not answer is on the Failed page");

        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(a.Iid, "merged", TimeSpan.FromSeconds(60));
        await world.WaitForCarAsync(b.Iid, "merged", TimeSpan.FromSeconds(60));
    }
}
