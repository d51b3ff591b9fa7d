using System.Text.Json.Nodes;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.Dashboard;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 12, a later green absolves (<c>PendingFailureDepth</c>), through the real server and the
/// fake GitLab: a car whose pipeline failed keeps its place while the car behind it, whose commit
/// contains it, reports; that car's pass merges both at its tested commit, its failure drops the car.
/// </summary>
public class LaterGreenAbsolvesTests
{
    [Test]
    public async Task A_passing_car_behind_absolves_the_failed_car_and_the_target_moves_once_to_its_tested_commit()
    {
        await using var world = await StartAsync();
        var gitLab = world.GitLab;
        var target = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        var (a, b) = await TwoHeldCarsAsync(world);
        gitLab.Ci.FailJob(CarBranch(a.Mr.Iid), "unit-tests", times: 1);
        var carA = gitLab.GetPipeline(a.Pipeline).Sha;
        var carB = gitLab.GetPipeline(b.Pipeline).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, carB)).ShouldBe([carA, b.Mr.Sha], "B is built on A's car commit");

        // A fails for good (no retries): it keeps its place, and B keeps building on it.
        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();
        await WaitForStageAsync(world, a.Mr.Iid, "FailurePending");
        gitLab.GetPipeline(a.Pipeline).Status.ShouldBe(PipelineStatuses.Failed);
        gitLab.GetPipeline(b.Pipeline).IsFinished.ShouldBeFalse("the car behind keeps its pipeline");
        (await world.CarAsync(a.Mr.Iid))!.Value.GetProperty("status").GetString().ShouldNotBe("dropped");
        (await TrainsPageAsync(world)).ShouldContain("failure pending: waiting for the cars behind");

        // B passes: its commit holds A's changes and was tested, so both merge at exactly that commit.
        gitLab.Ci.Release(b.Pipeline).ShouldBeTrue();
        (await world.WaitForCarAsync(a.Mr.Iid, "merged")).GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(a.Pipeline);
        (await world.WaitForCarAsync(b.Mr.Iid, "merged")).GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(b.Pipeline);
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(carB);
        (await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main")).ShouldBe([carB, carA, target]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetMergeRequest(TrainWorld.ProjectId, a.Mr.Iid).State == MergeRequestStates.Merged
                && gitLab.GetMergeRequest(TrainWorld.ProjectId, b.Mr.Iid).State == MergeRequestStates.Merged,
            because: "GitLab to show both merge requests merged");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => MainPushes(gitLab).Contains(carB), because: "the Push Hook of main");
        MainPushes(gitLab).ShouldBe([carB], "one fast-forward, to the passing car's commit");
        world.CarPipelines.Select(p => p.Id).ShouldBe([a.Pipeline, b.Pipeline], "nothing was rebuilt");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, a.Mr.Iid).Any(n => n.Body.Contains(
                $"its pipeline #{a.Pipeline} failed, but pipeline #{b.Pipeline} of !{b.Mr.Iid}, which contains these changes, passed", StringComparison.Ordinal)),
            because: $"A's note saying pipeline #{a.Pipeline} failed and #{b.Pipeline} absolved it; notes: {Notes(gitLab, a.Mr.Iid)}");
    }

    [Test]
    public async Task When_the_car_behind_fails_too_the_failed_car_is_dropped_and_the_car_behind_is_rebuilt_without_it_and_merges()
    {
        await using var world = await StartAsync();
        var gitLab = world.GitLab;
        var target = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        var (a, b) = await TwoHeldCarsAsync(world);
        gitLab.Ci.FailJob(CarBranch(a.Mr.Iid), "unit-tests");
        gitLab.Ci.FailJob(CarBranch(b.Mr.Iid), "unit-tests", times: 1);

        gitLab.Ci.Release(a.Pipeline).ShouldBeTrue();
        await WaitForStageAsync(world, a.Mr.Iid, "FailurePending");
        gitLab.Ci.Release(b.Pipeline).ShouldBeTrue();

        // One car behind (the depth) failed as well: A is to blame after all.
        await world.WaitForCarAsync(a.Mr.Iid, "dropped");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, a.Mr.Iid).Any(n => n.Body.Contains(
                $"because the pipeline did not succeed (pipeline #{a.Pipeline} failed; the car behind it failed too)", StringComparison.Ordinal)),
            because: $"A's note saying its pipeline failed; notes: {Notes(gitLab, a.Mr.Iid)}");
        var rebuilt = await world.WaitForNewPipelineAsync(b.Mr.Iid, b.Pipeline);
        var rebuiltCar = gitLab.GetPipeline(rebuilt).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, rebuiltCar)).ShouldBe([target, b.Mr.Sha], "B is rebuilt on the target, without A");

        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        (await world.WaitForCarAsync(b.Mr.Iid, "merged")).GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(rebuilt);
        (await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main")).ShouldBe([rebuiltCar, target]);
        gitLab.GetMergeRequest(TrainWorld.ProjectId, a.Mr.Iid).State.ShouldBe(MergeRequestStates.Opened);
    }

    private static string Notes(FakeGitLab.FakeGitLab gitLab, long iid) =>
        string.Join(" | ", gitLab.NotesOn(TrainWorld.ProjectId, iid).Select(n => n.Body));

    private static Task<TrainWorld> StartAsync() => TrainWorld.StartAsync(
        new Dictionary<string, string> { ["app.txt"] = "hello\n" },
        20,
        "--MergeTrain:Projects:0:PendingFailureDepth=1");

    /// <summary>MRs A and B on the train, A first, each with its held car pipeline of two jobs.</summary>
    internal static async Task<((FakeMergeRequest Mr, long Pipeline) A, (FakeMergeRequest Mr, long Pipeline) B)> TwoHeldCarsAsync(TrainWorld world)
    {
        world.GitLab.Ci.JobNames = ["lint", "unit-tests"];
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

    /// <summary>Waits until the engine has the MR's car in <paramref name="stage"/> (a <c>CarStage</c> name).</summary>
    internal static Task WaitForStageAsync(TrainWorld world, long iid, string stage) => TrainWorld.WaitUntilAsync(
        async () => await world.QueryAsync<long>(
            "SELECT count(*) FROM trains, jsonb_array_elements(state::jsonb -> 'Cars') AS car WHERE (car ->> 'Iid')::int = @iid AND car ->> 'Stage' = @stage",
            ("iid", (int)iid), ("stage", stage)) == 1,
        $"car !{iid} to be {stage}",
        TimeSpan.FromSeconds(30));

    internal static async Task<string> TrainsPageAsync(TrainWorld world)
    {
        using var browser = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);
        return await browser.PageAsync("/hangfire/trains");
    }

    private static string CarBranch(long iid) => $"merge-train/main/{iid}";

    /// <summary>The heads main was pushed to, in order, from GitLab's Push Hooks.</summary>
    private static List<string> MainPushes(FakeGitLab.FakeGitLab gitLab) =>
    [
        .. gitLab.Deliveries.Where(d => d.EventName == "Push Hook").DistinctBy(d => d.EventUuid)
            .Select(d => JsonNode.Parse(d.Body)!)
            .Where(hook => hook["ref"]!.GetValue<string>() == "refs/heads/main")
            .Select(hook => hook["after"]!.GetValue<string>()),
    ];
}
