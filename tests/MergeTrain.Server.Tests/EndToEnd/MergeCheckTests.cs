using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 16, part 2: an MR joins a train only when GitLab's merge checks let it merge; a refusal
/// gives GitLab's reason (the API's 400 message, a note for the label and the comment), and a car
/// already on the train follows GitLab's rules when a check changes.
/// </summary>
public class MergeCheckTests
{
    private const string NotApproved = "Approval is required before merge.";
    private const string ThreadsOpen = "All discussions must be resolved before merge.";

    [Test]
    public async Task An_unapproved_merge_request_is_refused_with_GitLabs_reason_and_joins_once_approved()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.SetMergeSettings(TrainWorld.ProjectId, approvalsRequired: 1, onlyAllowMergeIfAllDiscussionsAreResolved: false);
        var mr = await world.OpenMergeRequestAsync("unapproved", "Needs a review", new Dictionary<string, string?> { ["review.txt"] = "r\n" });

        using (var refused = await world.AddThroughApiAsync(mr.Iid))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await MessageAsync(refused)).ShouldBe(NotApproved);
        }

        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body == $"could not add this merge request to the merge train: {NotApproved}"),
            because: "the refusal of the label, in GitLab's words, on the MR");
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(mr.Iid)).ShouldBeNull("neither the API nor the label put it on the train");
        gitLab.Pipelines.ShouldNotContain(p => p.Ref == $"merge-train/main/{mr.Iid}");

        (await gitLab.ApproveAsync(TrainWorld.ProjectId, mr.Iid)).ShouldBeTrue();
        using (var added = await world.AddThroughApiAsync(mr.Iid))
        {
            added.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await world.WaitForCarAsync(mr.Iid, "merged");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State == "merged", because: "GitLab to see the MR merged");
    }

    [Test]
    public async Task Unresolved_threads_refuse_a_merge_request_where_the_project_requires_them_resolved_until_resolved()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.SetMergeSettings(TrainWorld.ProjectId, approvalsRequired: 0, onlyAllowMergeIfAllDiscussionsAreResolved: true);
        var mr = await world.OpenMergeRequestAsync("threads", "Under discussion", new Dictionary<string, string?> { ["threads.txt"] = "t\n" });
        var thread = await gitLab.StartThreadAsync(TrainWorld.ProjectId, mr.Iid, "Is this the right file name?");

        using (var refused = await world.AddThroughApiAsync(mr.Iid))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await MessageAsync(refused)).ShouldBe(ThreadsOpen);
        }

        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        await gitLab.CommentAsync(TrainWorld.ProjectId, mr.Iid, "/merge-train");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Count(n => n.Body == $"could not add this merge request to the merge train: {ThreadsOpen}") == 2,
            because: "one refusal note for the label, one for the comment");
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(mr.Iid)).ShouldBeNull();

        gitLab.ResolveThread(TrainWorld.ProjectId, mr.Iid, thread.Id);
        await gitLab.RemoveLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");

        await world.WaitForCarAsync(mr.Iid, "merged");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body == "started a merge train"), because: "the label adds it once the thread is resolved");
    }

    [Test]
    public async Task A_new_thread_keeps_the_car_on_the_train_and_a_revoked_approval_drops_it()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.SetMergeSettings(TrainWorld.ProjectId, approvalsRequired: 1, onlyAllowMergeIfAllDiscussionsAreResolved: true);
        var first = await world.OpenMergeRequestAsync("first", "First", new Dictionary<string, string?> { ["first.txt"] = "1\n" });
        var second = await world.OpenMergeRequestAsync("second", "Second", new Dictionary<string, string?> { ["second.txt"] = "2\n" });
        await gitLab.ApproveAsync(TrainWorld.ProjectId, first.Iid);
        await gitLab.ApproveAsync(TrainWorld.ProjectId, second.Iid);
        gitLab.Ci.HoldPipelines = true;
        (await world.AddThroughApiAsync(first.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.AddThroughApiAsync(second.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await world.WaitForPipelineAsync(second.Iid);

        // GitLab merges a train's car skipping the threads check: a new thread changes nothing.
        await gitLab.StartThreadAsync(TrainWorld.ProjectId, first.Iid, "Late question");
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(first.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh");

        // Approvals it does check again: without one, the car cannot merge and leaves the train.
        (await gitLab.UnapproveAsync(TrainWorld.ProjectId, second.Iid)).ShouldBeTrue();
        await world.WaitForCarAsync(second.Iid, "dropped");
        (await world.QueryAsync<string>("SELECT drop_reason FROM cars WHERE iid = @iid", ("iid", (int)second.Iid))).ShouldBe("not_mergeable");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, second.Iid).Any(n =>
                n.Body == $"removed this merge request from the merge train because it can no longer be merged: {NotApproved}"),
            because: "the drop note gives GitLab's reason");
        (await world.CarAsync(first.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh", "the car ahead is untouched");
    }

    private static async Task<string?> MessageAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString();
}
