using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 3, "Target moved outside the train".</summary>
public class TargetMovedOutsideTheTrainTests
{
    [Test]
    public async Task A_push_to_the_target_while_cars_run_rebuilds_every_car_on_the_new_head()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var target = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        var mr1 = await world.OpenMergeRequestAsync("one", "One", new Dictionary<string, string?> { ["one.txt"] = "1\n" });
        var mr2 = await world.OpenMergeRequestAsync("two", "Two", new Dictionary<string, string?> { ["two.txt"] = "2\n" });
        gitLab.Ci.HoldPipelines = true;
        (await world.AddThroughApiAsync(mr1.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.AddThroughApiAsync(mr2.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var old1 = await world.WaitForPipelineAsync(mr1.Iid);
        var old2 = await world.WaitForPipelineAsync(mr2.Iid);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(old1).Sha)).ShouldBe([target, mr1.Sha]);

        // A user pushes to main while the cars run.
        var pushed = await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "main", new Dictionary<string, string?> { ["hotfix.txt"] = "fix\n" }, "Hotfix");

        // Every car is rebuilt on the new head, with new pipelines; the old ones are cancelled.
        var new1 = await world.WaitForNewPipelineAsync(mr1.Iid, old1);
        var new2 = await world.WaitForNewPipelineAsync(mr2.Iid, old2);
        var car1 = gitLab.GetPipeline(new1).Sha;
        var car2 = gitLab.GetPipeline(new2).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, car1)).ShouldBe([pushed, mr1.Sha]);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, car2)).ShouldBe([car1, mr2.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetPipeline(old1).Status == PipelineStatuses.Canceled && gitLab.GetPipeline(old2).Status == PipelineStatuses.Canceled,
            because: "the pipelines on the old head to be cancelled");

        // The rebuilt train merges on top of the user's commit: nothing of it is lost.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(mr2.Iid, "merged");
        (await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main")).ShouldBe([car2, car1, pushed, target]);
    }
}
