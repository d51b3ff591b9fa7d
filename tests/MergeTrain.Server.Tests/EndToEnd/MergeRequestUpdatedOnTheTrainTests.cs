using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 3, "MR changes": new commits pushed to an MR on a train.</summary>
public class MergeRequestUpdatedOnTheTrainTests
{
    [Test]
    public async Task New_commits_on_a_car_drop_it_as_source_updated_and_the_cars_behind_are_rebuilt()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var ((a, pipelineA), (b, pipelineB), (c, oldC)) = await world.HeldTrainOfThreeAsync();

        // The author pushes to B while it is on the train.
        var updated = await gitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, b.Iid, new Dictionary<string, string?> { ["b.txt"] = "b, revised\n" });
        updated.Sha.ShouldNotBe(b.Sha);

        var dropped = await world.WaitForCarAsync(b.Iid, "dropped");
        dropped.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineB);
        (await world.QueryAsync<string>("SELECT drop_reason FROM cars WHERE iid = @iid", ("iid", (int)b.Iid))).ShouldBe("source_updated");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, b.Iid).Any(n => n.Body.Contains("source branch was updated", StringComparison.Ordinal)),
            because: "a note saying why B left the train");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(pipelineB).Status == PipelineStatuses.Canceled, because: "B's car pipeline to be cancelled");

        // C is rebuilt on A alone; A is untouched.
        var newC = await world.WaitForNewPipelineAsync(c.Iid, oldC);
        var commitA = gitLab.GetPipeline(pipelineA).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(newC).Sha)).ShouldBe([commitA, c.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(oldC).Status == PipelineStatuses.Canceled, because: "C's old pipeline to be cancelled");
        (await world.CarAsync(a.Iid))!.Value.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineA);
        gitLab.GetPipeline(pipelineA).Status.ShouldBe(PipelineStatuses.Running);
    }
}
