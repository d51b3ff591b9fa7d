using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>An MR on one target's train is retargeted to another branch: one active car per MR, and no train job fails over it.</summary>
public class RetargetedMergeRequestTests
{
    [Test]
    public async Task A_retargeted_mr_leaves_its_old_train_and_can_join_the_new_targets_train()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "1\n" });
        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        await world.WaitForPipelineAsync(mr.Iid);
        await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "release", new Dictionary<string, string?> { ["release.txt"] = "r\n" }, "Start the release branch");

        await gitLab.RetargetAsync(TrainWorld.ProjectId, mr.Iid, "release");
        var dropped = await world.WaitForCarAsync(mr.Iid, "dropped");
        dropped.GetProperty("target_branch").GetString().ShouldBe("main");

        // The label is still on the MR; a comment puts it on the release train.
        await gitLab.CommentAsync(TrainWorld.ProjectId, mr.Iid, "/merge-train");
        await TrainWorld.WaitUntilAsync(
            async () => await world.CarAsync(mr.Iid) is { } car && car.GetProperty("target_branch").GetString() == "release" && car.GetProperty("status").GetString() != "dropped",
            "the MR to ride the release train");
        await world.WaitUntilQuietAsync();
        (await FailedJobStatesAsync(world)).ShouldBe(0, "no train job failed");
        (await world.QueryAsync<long>("SELECT count(*) FROM cars WHERE iid = @iid AND finished_at IS NULL", ("iid", mr.Iid))).ShouldBe(1);
    }

    [Test]
    public async Task Adding_an_mr_to_a_train_while_it_rides_another_targets_train_is_refused_with_409_not_a_failed_job()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "1\n" });
        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await world.WaitForPipelineAsync(mr.Iid);
        await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "release", new Dictionary<string, string?> { ["release.txt"] = "r\n" }, "Start the release branch");

        // GitLab's retarget hook is lost: the service still has the car on main.
        gitLab.RemoveWebhook(world.Hook);
        await gitLab.RetargetAsync(TrainWorld.ProjectId, mr.Iid, "release");

        using var add = await world.AddThroughApiAsync(mr.Iid);
        add.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await add.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString().ShouldBe($"Merge request !{mr.Iid} is already on the merge train of 'main'");
        await world.WaitUntilQuietAsync();
        (await FailedJobStatesAsync(world)).ShouldBe(0, "no train job failed");
        var car = await world.CarAsync(mr.Iid);
        car!.Value.GetProperty("target_branch").GetString().ShouldBe("main");
        car.Value.GetProperty("status").GetString().ShouldNotBe("dropped");
    }

    private static Task<long> FailedJobStatesAsync(TrainWorld world) =>
        world.QueryAsync<long>("SELECT count(*) FROM hangfire.state WHERE name = 'Failed'");
}
