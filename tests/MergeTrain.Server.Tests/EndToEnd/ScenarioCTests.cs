using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 1, scenario C: reconstruction after a failure in the middle of the train.</summary>
public class ScenarioCTests
{
    [Test]
    public async Task A_failing_car_is_dropped_the_car_ahead_keeps_running_and_the_cars_behind_are_rebuilt_without_it()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var target = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        var a = await world.OpenMergeRequestAsync("a", "A", new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        var b = await world.OpenMergeRequestAsync("b", "B", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        var c = await world.OpenMergeRequestAsync("c", "C", new Dictionary<string, string?> { ["c.txt"] = "c\n" });
        var d = await world.OpenMergeRequestAsync("d", "D", new Dictionary<string, string?> { ["d.txt"] = "d\n" });
        gitLab.Ci.HoldPipelines = true;

        // Train A, B, C, D running.
        foreach (var mr in new[] { a, b, c, d })
        {
            (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var pipelineA = await world.WaitForPipelineAsync(a.Iid);
        var pipelineB = await world.WaitForPipelineAsync(b.Iid);
        var oldC = await world.WaitForPipelineAsync(c.Iid);
        var oldD = await world.WaitForPipelineAsync(d.Iid);
        var commitA = gitLab.GetPipeline(pipelineA).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, commitA)).ShouldBe([target, a.Sha]);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(oldC).Sha)).ShouldBe([gitLab.GetPipeline(pipelineB).Sha, c.Sha]);

        // B's pipeline fails.
        gitLab.Ci.Release(pipelineB, PipelineStatuses.Failed).ShouldBeTrue();

        // B is dropped.
        var droppedB = await world.WaitForCarAsync(b.Iid, "dropped");
        droppedB.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineB);

        // C and D are rebuilt as target+A+C and target+A+C+D, with new pipelines; the old ones are cancelled.
        var newC = await world.WaitForNewPipelineAsync(c.Iid, oldC);
        var newD = await world.WaitForNewPipelineAsync(d.Iid, oldD);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetPipeline(oldC).Status == PipelineStatuses.Canceled && gitLab.GetPipeline(oldD).Status == PipelineStatuses.Canceled,
            because: "the old pipelines of C and D to be cancelled");
        var commitC = gitLab.GetPipeline(newC).Sha;
        var commitD = gitLab.GetPipeline(newD).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, commitC)).ShouldBe([commitA, c.Sha], "C is rebuilt on A, without B");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, commitD)).ShouldBe([commitC, d.Sha], "D is rebuilt on the new C");
        gitLab.GetPipeline(newC).Status.ShouldNotBe(PipelineStatuses.Canceled);
        gitLab.GetPipeline(newD).Variables["MERGE_TRAIN_POSITION"].ShouldBe("3");

        // A keeps running, untouched: same pipeline, same commit, not cancelled.
        var carA = (await world.CarAsync(a.Iid))!.Value;
        carA.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineA);
        carA.GetProperty("pipeline").GetProperty("sha").GetString().ShouldBe(commitA);
        gitLab.GetPipeline(pipelineA).Status.ShouldBe(PipelineStatuses.Running);
        gitLab.Pipelines.Count(p => p.Ref == "merge-train/main/1").ShouldBe(1, "A was never rebuilt");

        // Letting the pipelines finish merges A, C and D, in order; B never reaches the target.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(d.Iid, "merged");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(commitD);
        (await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main")).ShouldBe([commitD, commitC, commitA, target]);
        gitLab.GetMergeRequest(TrainWorld.ProjectId, b.Iid).State.ShouldBe(MergeRequestStates.Opened);
    }
}
