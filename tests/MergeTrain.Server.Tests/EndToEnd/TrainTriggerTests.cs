using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 5: the train label and the <c>/merge-train</c> comment put MRs on and take them off.</summary>
public class TrainTriggerTests
{
    [Test]
    public async Task Adding_the_train_label_puts_the_merge_request_on_the_train_and_removing_it_takes_it_off()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "new\n" });
        gitLab.Ci.HoldPipelines = true;

        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");

        var pipeline = await world.WaitForPipelineAsync(mr.Iid);
        var car = (await world.CarAsync(mr.Iid))!.Value;
        car.GetProperty("status").GetString().ShouldBe("fresh");
        car.GetProperty("user").GetProperty("username").GetString().ShouldBe(gitLab.Developer.Username);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body == "started a merge train"), because: "the note on the first car");

        await gitLab.RemoveLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");

        await world.WaitForCarAsync(mr.Iid, "dropped");
        (await world.QueryAsync<string>("SELECT drop_reason FROM cars WHERE iid = @iid", ("iid", (int)mr.Iid))).ShouldBe("removed_by_user");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(pipeline).IsFinished, because: "the car pipeline to be cancelled");
    }

    [Test]
    public async Task A_merge_train_comment_adds_the_merge_request_and_a_cancel_comment_removes_it()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var first = await world.OpenMergeRequestAsync("first", "First", new Dictionary<string, string?> { ["first.txt"] = "1\n" });
        var second = await world.OpenMergeRequestAsync("second", "Second", new Dictionary<string, string?> { ["second.txt"] = "2\n" });
        gitLab.Ci.HoldPipelines = true;

        await gitLab.CommentAsync(TrainWorld.ProjectId, first.Iid, "/merge-train\nPlease merge once green.");
        await world.WaitForPipelineAsync(first.Iid);
        await gitLab.CommentAsync(TrainWorld.ProjectId, second.Iid, "/merge-train");
        await world.WaitForPipelineAsync(second.Iid);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, second.Iid).Any(n => n.Body == "added this merge request to the merge train at position 2"),
            because: "the note on the second car");

        // A comment that merely mentions the command does nothing.
        await gitLab.CommentAsync(TrainWorld.ProjectId, second.Iid, "Why not use /merge-train cancel here?");
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(second.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh");

        await gitLab.CommentAsync(TrainWorld.ProjectId, second.Iid, "/merge-train cancel");
        await world.WaitForCarAsync(second.Iid, "dropped");
        (await world.QueryAsync<string>("SELECT drop_reason FROM cars WHERE iid = @iid", ("iid", (int)second.Iid))).ShouldBe("removed_by_user");
        (await world.CarAsync(first.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh");
    }
}
