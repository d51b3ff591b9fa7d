using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 1, scenario B, step by step: the merge train prevents the race.</summary>
public class ScenarioBTests
{
    [Test]
    public async Task The_merge_train_prevents_the_race()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string>
        {
            ["lint.rules"] = "# one forbidden word per line\n",
            ["app.txt"] = "hello\n",
        });
        var gitLab = world.GitLab;
        var mainBefore = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");

        // MR-1 and MR-2 both passed their own pipelines. MR-1 changes a lint rule that MR-2 violates.
        var mr1 = await world.OpenMergeRequestAsync("tighten-lint", "Forbid TODO", new Dictionary<string, string?> { ["lint.rules"] = "TODO\n" });
        var mr2 = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "TODO: finish\n" });
        gitLab.Ci.HoldPipelines = true;

        // Both are added to the train, MR-1 first.
        (await world.AddThroughApiAsync(mr1.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.AddThroughApiAsync(mr2.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);

        // 1. car 1 = merge(target head, MR-1 head); its pipeline starts.
        var pipeline1 = await world.WaitForPipelineAsync(mr1.Iid);
        var car1Sha = gitLab.GetPipeline(pipeline1).Sha;
        await ParentsShouldBeAsync(world, car1Sha, mainBefore!, mr1.Sha);

        // 2. car 2 = merge(car 1 commit, MR-2 head); its pipeline starts without waiting for car 1's.
        var pipeline2 = await world.WaitForPipelineAsync(mr2.Iid);
        var car2Sha = gitLab.GetPipeline(pipeline2).Sha;
        await ParentsShouldBeAsync(world, car2Sha, car1Sha, mr2.Sha);
        gitLab.GetPipeline(pipeline1).IsFinished.ShouldBeFalse("car 2 started while car 1 was still running");
        gitLab.GetPipeline(pipeline2).Variables["MERGE_TRAIN_POSITION"].ShouldBe("2");

        // 3. car 1 passes: the target branch is fast-forwarded to car 1's commit; MR-1 is merged.
        gitLab.Ci.Release(pipeline1).ShouldBeTrue();
        await world.WaitForCarAsync(mr1.Iid, "merged");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(car1Sha, "exactly the tested commit");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetMergeRequest(TrainWorld.ProjectId, mr1.Iid).State == MergeRequestStates.Merged);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.NotesOn(TrainWorld.ProjectId, mr1.Iid).Any(n => n.Body.Contains($"merged by the merge train (pipeline #{pipeline1})")));

        // 4. car 2 fails (its commit has MR-1's rule and MR-2's violation): MR-2 is dropped with a
        //    note giving the reason; the target branch never sees it.
        gitLab.Ci.Release(pipeline2).ShouldBeTrue();
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(pipeline2).Status == PipelineStatuses.Failed);
        var dropped = await world.WaitForCarAsync(mr2.Iid, "dropped");
        dropped.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipeline2);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.NotesOn(TrainWorld.ProjectId, mr2.Iid).Any(n => n.Body.Contains("pipeline", StringComparison.OrdinalIgnoreCase)));
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(car1Sha);

        // 5. MR-2 is fixed and added again: it becomes car 1 of the train and merges when green.
        var fixedMr2 = await gitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, mr2.Iid, new Dictionary<string, string?> { ["feature.txt"] = "done\n" });
        gitLab.Ci.HoldPipelines = false;
        (await world.AddThroughApiAsync(mr2.Iid, fixedMr2.Sha)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var merged = await world.WaitForCarAsync(mr2.Iid, "merged");
        var pipeline3 = merged.GetProperty("pipeline").GetProperty("id").GetInt64();
        gitLab.GetPipeline(pipeline3).Variables["MERGE_TRAIN_POSITION"].ShouldBe("1");
        var mainAfter = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        mainAfter.ShouldBe(gitLab.GetPipeline(pipeline3).Sha);
        await ParentsShouldBeAsync(world, mainAfter!, car1Sha, fixedMr2.Sha);
    }

    private static async Task ParentsShouldBeAsync(TrainWorld world, string commit, string first, string second)
    {
        var parents = await GitLog.ParentsAsync(world.Project.RepositoryUrl, commit);
        parents.ShouldBe([first, second], $"{commit} merges {second} onto {first}");
    }
}
