using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Merge now in both of GitLab's modes (issue 16, part 3), through the real server, database and
/// git against the fake GitLab: restarting the train rebuilds every car on the new target head;
/// keeping it (where <c>SkipTrainAllowed</c> is on) leaves the running pipelines alone and rebuilds
/// each car only when it reaches the front. Either way the target only ever holds the immediate
/// merge and commits whose pipeline passed on exactly that commit.
/// </summary>
public class MergeImmediatelyTests
{
    [Test]
    public async Task Merge_now_restarting_the_train_merges_at_once_and_rebuilds_every_car_on_the_new_head()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mainBefore = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        var ((a, pipelineA), (b, _), (c, pipelineC)) = await world.HeldTrainOfThreeAsync();
        using var admin = world.ClientWith(TrainWorld.AdminToken);

        // Keeping the train is the project's choice, off by default as in GitLab.
        using (var refused = await admin.PostAsync(MergeImmediatelyPath(b.Iid) + "?restart_train=false", null))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await MessageAsync(refused)).ShouldContain("SkipTrainAllowed");
        }

        using (var unreadable = await admin.PostAsync(MergeImmediatelyPath(b.Iid) + "?restart_train=maybe", null))
        {
            unreadable.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await MessageAsync(unreadable)).ShouldContain("restart_train is invalid");
        }

        world.CarPipelines.Count.ShouldBe(3, "a refused request changed nothing");

        using (var merged = await admin.PostAsync(MergeImmediatelyPath(b.Iid), null))
        {
            merged.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await world.WaitForCarAsync(b.Iid, "merged");
        var newMain = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, newMain!)).ShouldBe([mainBefore!, b.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetMergeRequest(TrainWorld.ProjectId, b.Iid).State == MergeRequestStates.Merged);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, b.Iid).Any(n => n.Body.Contains("merged immediately by ops, skipping the merge train pipeline", StringComparison.Ordinal)),
            because: "the note saying who merged it immediately");

        // Every car is rebuilt on the new head at once: its old pipeline cancelled, a new one started.
        var secondA = await world.WaitForNewPipelineAsync(a.Iid, pipelineA);
        var secondC = await world.WaitForNewPipelineAsync(c.Iid, pipelineC);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(secondA).Sha)).ShouldBe([newMain!, a.Sha]);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(secondC).Sha)).ShouldBe([gitLab.GetPipeline(secondA).Sha, c.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => new[] { pipelineA, pipelineC }.All(id => gitLab.GetPipeline(id).Status == PipelineStatuses.Canceled),
            because: "the old pipelines to be cancelled");

        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(c.Iid, "merged");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(gitLab.GetPipeline(secondC).Sha);
    }

    [Test]
    public async Task Merge_now_keeping_the_train_leaves_the_running_pipelines_and_rebuilds_each_car_only_at_the_front()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, "--MergeTrain:Projects:0:SkipTrainAllowed=true");
        var gitLab = world.GitLab;
        var mainBefore = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        var ((a, pipelineA), (b, pipelineB), (c, _)) = await world.HeldTrainOfThreeAsync();
        using var admin = world.ClientWith(TrainWorld.AdminToken);

        using (var merged = await admin.PostAsync(MergeImmediatelyPath(c.Iid), JsonContent.Create(new { restart_train = false })))
        {
            merged.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await world.WaitForCarAsync(c.Iid, "merged");
        var newMain = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, newMain!)).ShouldBe([mainBefore!, c.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetMergeRequest(TrainWorld.ProjectId, c.Iid).State == MergeRequestStates.Merged);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Any(n => n.Body.Contains("the train was not restarted", StringComparison.Ordinal)),
            because: "the note saying the train was kept");

        // A reached the front: rebuilt on the new head. B keeps its pipeline, shown as GitLab's stale car.
        var secondA = await world.WaitForNewPipelineAsync(a.Iid, pipelineA);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(secondA).Sha)).ShouldBe([newMain!, a.Sha]);
        await world.WaitUntilQuietAsync();
        var carB = (await world.CarAsync(b.Iid))!.Value;
        carB.GetProperty("status").GetString().ShouldBe("stale");
        carB.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineB);
        gitLab.GetPipeline(pipelineB).IsFinished.ShouldBeFalse("the kept car's pipeline goes on");
        world.CarPipelines.Count(p => p.Ref == $"merge-train/main/{b.Iid}").ShouldBe(1, "nothing was started for the kept car");

        // The dashboard marks the kept car, and offers admins both ways of merging now.
        var page = await LaterGreenAbsolvesTests.TrainsPageAsync(world);
        var drawnB = page[page.IndexOf($"aria-label=\"car !{b.Iid}\"", StringComparison.Ordinal)..];
        drawnB[..drawnB.IndexOf("mt-wheel-right", StringComparison.Ordinal)].ShouldSatisfyAllConditions(
            car => car.ShouldContain(">kept</span>"),
            car => car.ShouldContain("Merge now, keep train"),
            car => car.ShouldContain($"/cars/{b.Iid}/merge-immediately-keeping-train?branch=main"));

        // B's kept pipeline passes: its commit lacks C, so it is not merged.
        gitLab.Ci.Release(pipelineB, PipelineStatuses.Success).ShouldBeTrue();
        await world.WaitUntilQuietAsync();
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(newMain);

        // A passes and merges; B reaches the front and only then is rebuilt and tested again.
        gitLab.Ci.Release(secondA, PipelineStatuses.Success).ShouldBeTrue();
        await world.WaitForCarAsync(a.Iid, "merged");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(gitLab.GetPipeline(secondA).Sha);
        var secondB = await world.WaitForNewPipelineAsync(b.Iid, pipelineB);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(secondB).Sha)).ShouldBe([gitLab.GetPipeline(secondA).Sha, b.Sha]);
        gitLab.Ci.Release(secondB, PipelineStatuses.Success).ShouldBeTrue();
        await world.WaitForCarAsync(b.Iid, "merged");

        // The target's history: C merged immediately, then A and B, each exactly its tested commit.
        var history = await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main");
        history.TakeWhile(commit => commit != mainBefore).ShouldBe([gitLab.GetPipeline(secondB).Sha, gitLab.GetPipeline(secondA).Sha, newMain!]);
        gitLab.GetPipeline(secondB).Status.ShouldBe(PipelineStatuses.Success);
    }

    private static string MergeImmediatelyPath(long iid) =>
        $"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/main/merge_requests/{iid}/merge_immediately";

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString() ?? "";
}
