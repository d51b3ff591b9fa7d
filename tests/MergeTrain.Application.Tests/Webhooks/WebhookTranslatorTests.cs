using MergeTrain.Application.Webhooks;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Application.Tests.Webhooks;

public class WebhookTranslatorTests
{
    private const string Head = "1111111111111111111111111111111111111111";
    private const string TargetHead = "2222222222222222222222222222222222222222";
    private static readonly TrainSettings Settings = new();
    private static readonly WebhookUser Alice = new(7, "alice", "Alice");
    private static readonly MergeCheck NotApproved = new("not_approved", "the merge request is not approved");

    [Test]
    public void Adding_the_train_label_adds_the_merge_request_with_the_check_GitLab_reports_now()
    {
        var hook = MergeRequestHook(labelsAdded: ["merge-train"], labels: ["merge-train"]);
        WebhookTranslator.NeedsMergeCheck(hook, Settings, hasActiveCar: false).ShouldBeTrue();

        var translation = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, null, NotApproved);

        var train = translation.Trains.ShouldHaveSingleItem();
        train.TrainId.ShouldBeNull();
        train.TargetBranch.ShouldBe("main");
        train.Head.ShouldBe(TargetHead);
        train.Events.Select(e => e.GetType()).ShouldBe([typeof(TargetBranchMoved), typeof(MergeRequestUpdated), typeof(MergeRequestAdded)]);
        train.Events[0].ShouldBe(new TargetBranchMoved(TargetHead, "alice"));
        var added = train.Events[2].ShouldBeOfType<MergeRequestAdded>();
        added.MergeRequest.FailedCheck.ShouldBe(NotApproved);
        added.Priority.ShouldBe(CarPriority.Normal);
        added.NoteWhenRefused.ShouldBeTrue();
        translation.DecideFirst.ShouldBeEmpty();
        translation.Summary.ShouldBe("MR !5 update: TargetBranchMoved, MergeRequestUpdated, MergeRequestAdded");
    }

    [Test]
    public void The_priority_label_adds_with_high_priority_and_so_does_the_train_label_on_an_MR_that_carries_it()
    {
        var byPriority = WebhookTranslator.MergeRequest(MergeRequestHook(labelsAdded: ["merge-train::high"]), Settings, TargetHead, null, null);
        var byTrainLabel = WebhookTranslator.MergeRequest(MergeRequestHook(labelsAdded: ["merge-train"], labels: ["merge-train", "merge-train::high"]), Settings, TargetHead, null, null);

        byPriority.Trains[0].Events.OfType<MergeRequestAdded>().ShouldHaveSingleItem().Priority.ShouldBe(CarPriority.High);
        byTrainLabel.Trains[0].Events.OfType<MergeRequestAdded>().ShouldHaveSingleItem().Priority.ShouldBe(CarPriority.High);
    }

    [Test]
    public void Removing_the_label_and_turning_draft_remove_and_drop_before_the_update()
    {
        var hook = MergeRequestHook(labelsRemoved: ["merge-train"]) with { DraftChanged = new DraftChange(false, true), Draft = true };

        var events = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, null, null).Trains[0].Events;

        events.Select(e => e.GetType()).ShouldBe([typeof(TargetBranchMoved), typeof(MergeRequestRemoved), typeof(MergeRequestDrafted), typeof(MergeRequestUpdated)]);
        WebhookTranslator.NeedsMergeCheck(hook, Settings, hasActiveCar: true).ShouldBeFalse();
    }

    [Test]
    public void A_withdrawn_approval_carries_the_failing_check_only_for_an_MR_with_an_active_car()
    {
        var hook = MergeRequestHook() with { Action = "unapproved" };
        WebhookTranslator.NeedsMergeCheck(hook, Settings, hasActiveCar: false).ShouldBeFalse();
        WebhookTranslator.NeedsMergeCheck(hook, Settings, hasActiveCar: true).ShouldBeTrue();

        var onTrain = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, new ActiveCar("main", 3), NotApproved);
        var offTrain = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, null, NotApproved);

        onTrain.Trains[0].Events.OfType<MergeRequestUpdated>().ShouldHaveSingleItem().MergeRequest.FailedCheck.ShouldBe(NotApproved);
        offTrain.Trains[0].Events.OfType<MergeRequestUpdated>().ShouldHaveSingleItem().MergeRequest.FailedCheck.ShouldBeNull();
    }

    [TestCase("merge", "opened", typeof(MergeRequestMerged))]
    [TestCase("update", "merged", typeof(MergeRequestMerged))]
    [TestCase("close", "opened", typeof(MergeRequestClosed))]
    [TestCase(null, "closed", typeof(MergeRequestClosed))]
    public void Merging_or_closing_ends_the_car_and_needs_neither_the_head_nor_GitLab(string? action, string state, Type expected)
    {
        var hook = MergeRequestHook(labelsAdded: ["merge-train"]) with { Action = action, State = state, MergeCommitSha = Head };

        WebhookTranslator.HeadToCheck(hook).ShouldBeNull();
        WebhookTranslator.NeedsMergeCheck(hook, Settings, hasActiveCar: true).ShouldBeFalse();
        WebhookTranslator.MergeRequest(hook, Settings, TargetHead, null, null).Trains[0].Events.Select(e => e.GetType()).ShouldBe([typeof(TargetBranchMoved), expected]);
    }

    [Test]
    public void An_open_MR_hook_requires_its_head_in_our_copy() =>
        WebhookTranslator.HeadToCheck(MergeRequestHook()).ShouldBe(Head);

    [Test]
    public void A_retargeted_MR_leaves_its_old_train_first()
    {
        var hook = MergeRequestHook() with { TargetBranch = "release" };

        var translation = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, new ActiveCar("main", 3), null);

        var first = translation.DecideFirst.ShouldHaveSingleItem();
        first.TrainId.ShouldBe(3);
        first.Events.ShouldHaveSingleItem().ShouldBeOfType<MergeRequestUpdated>().MergeRequest.TargetBranch.ShouldBe("release");
        translation.Trains.ShouldHaveSingleItem().TargetBranch.ShouldBe("release");
    }

    [Test]
    public void A_hook_naming_another_head_than_the_cars_asks_GitLab_for_the_current_head_and_uses_it()
    {
        const string pinned = "3333333333333333333333333333333333333333";
        var hook = MergeRequestHook();
        WebhookTranslator.NeedsCurrentHead(hook, new ActiveCar("main", 3, pinned)).ShouldBeTrue();
        WebhookTranslator.NeedsCurrentHead(hook, new ActiveCar("main", 3, Head)).ShouldBeFalse("the hook names the car's own head");
        WebhookTranslator.NeedsCurrentHead(hook, null).ShouldBeFalse("no car to protect");
        WebhookTranslator.NeedsCurrentHead(hook with { Action = "close", State = "closed" }, new ActiveCar("main", 3, pinned)).ShouldBeFalse("a close drops the car whatever the head");

        // A late hook of an older push: GitLab's head now is the car's, and that is what the train is told.
        var late = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, new ActiveCar("main", 3, pinned), null, currentHead: pinned);
        late.Trains.Single().Events.OfType<MergeRequestUpdated>().Single().MergeRequest.HeadSha.ShouldBe(pinned);

        var asIs = WebhookTranslator.MergeRequest(hook, Settings, TargetHead, new ActiveCar("main", 3, pinned), null);
        asIs.Trains.Single().Events.OfType<MergeRequestUpdated>().Single().MergeRequest.HeadSha.ShouldBe(Head);
    }

    [Test]
    public void A_car_on_its_own_target_or_on_a_train_that_is_gone_is_not_a_retarget()
    {
        WebhookTranslator.MergeRequest(MergeRequestHook(), Settings, TargetHead, new ActiveCar("main", 3), null).DecideFirst.ShouldBeEmpty();
        WebhookTranslator.MergeRequest(MergeRequestHook() with { TargetBranch = "release" }, Settings, TargetHead, new ActiveCar("main", null), null).DecideFirst.ShouldBeEmpty();
    }

    [Test]
    public void The_comment_adds_the_MR_as_GitLab_reports_it_to_the_train_of_the_comment_target()
    {
        var note = NoteHook("/merge-train");
        var current = new MergeRequestSnapshot(5, "Fix", "fix", "main", Head, false, MergeRequestState.Opened) { FailedCheck = NotApproved };

        var translation = WebhookTranslator.Note(note, MergeTrainComment.Parse(note.Note), TargetHead, current, null);

        var train = translation.Trains.ShouldHaveSingleItem();
        train.TargetBranch.ShouldBe("main");
        train.Events[0].ShouldBe(new TargetBranchMoved(TargetHead, "alice"));
        var added = train.Events[1].ShouldBeOfType<MergeRequestAdded>();
        added.MergeRequest.ShouldBe(current);
        added.NoteWhenRefused.ShouldBeTrue();
        translation.Summary.ShouldBe("comment /merge-train on MR !5");
    }

    [Test]
    public void The_cancel_comment_removes_and_other_comments_do_nothing()
    {
        var cancel = NoteHook("/merge-train cancel");
        WebhookTranslator.Note(cancel, MergeTrainComment.Parse(cancel.Note), TargetHead, null, null).Trains[0].Events[1]
            .ShouldBe(new MergeRequestRemoved(5, "alice"));

        var chatter = NoteHook("nice work");
        var nothing = WebhookTranslator.Note(chatter, MergeTrainComment.Parse(chatter.Note), TargetHead, null, null);
        nothing.Trains.ShouldBeEmpty();
        nothing.Summary.ShouldBe("a comment without /merge-train");

        var unknown = NoteHook("/merge-train later");
        WebhookTranslator.Note(unknown, MergeTrainComment.Parse(unknown.Note), TargetHead, null, null).Summary.ShouldBe("unknown /merge-train argument 'later'");
    }

    [Test]
    public void A_pipeline_status_goes_to_its_train_and_is_dropped_without_one_or_with_an_unknown_status()
    {
        var pipeline = new PipelineHookEvent(new WebhookProject(1, "group/project", null), Alice, 42, "merge-train/main/5", Head, "failed", "api", false, null, null, null, null, null);

        var translation = WebhookTranslator.Pipeline(pipeline, 3);
        var train = translation.Trains.ShouldHaveSingleItem();
        train.TrainId.ShouldBe(3);
        train.Events.ShouldBe([new PipelineStatusChanged(42, Head, "merge-train/main/5", PipelineStatus.Failed, null)]);
        translation.Summary.ShouldBe("pipeline 42 failed");

        WebhookTranslator.Pipeline(pipeline, null).Trains.ShouldBeEmpty();
        WebhookTranslator.Pipeline(pipeline with { Status = "exploded" }, 3).Trains.ShouldBeEmpty();
    }

    [Test]
    public void A_push_moves_the_train_of_the_branch_if_it_has_one()
    {
        var push = new PushHookEvent(new WebhookProject(1, "group/project", null), Alice, "refs/heads/main", Head, TargetHead, TargetHead, 1);

        WebhookTranslator.Push(push, "main", 3, TargetHead).Trains.ShouldHaveSingleItem().Events.ShouldBe([new TargetBranchMoved(TargetHead, "alice")]);
        WebhookTranslator.Push(push, "main", null, null).Summary.ShouldBe("push to main, which has no train");
    }

    [TestCase("merge-train/main/5", "main", null)]
    [TestCase("merge-train/release/2.0/12", "release/2.0", null)]
    [TestCase("merged-results/12", null, 12)]
    public void Published_branches_name_their_train(string branch, string? carTarget, int? mergedResults) =>
        WebhookTranslator.ReadPublishedBranch(branch, Settings).ShouldBe(new PublishedBranch(carTarget, mergedResults));

    [TestCase("main")]
    [TestCase("merge-train/5")]
    [TestCase("merged-results/x")]
    [TestCase(null)]
    public void Other_branches_are_not_ours(string? branch) => WebhookTranslator.ReadPublishedBranch(branch, Settings).ShouldBeNull();

    private static MergeRequestHookEvent MergeRequestHook(string[]? labelsAdded = null, string[]? labelsRemoved = null, string[]? labels = null) => new(
        new WebhookProject(1, "group/project", null), Alice, 500, 5, "Fix", null, "opened", "update", false, null, Head, "fix", "main", 1, 1, null, null, null, null, null,
        labels ?? labelsAdded ?? [], labelsAdded ?? [], labelsRemoved ?? []);

    private static NoteHookEvent NoteHook(string text) => new(
        GitLabEventNames.Note, new WebhookProject(1, "group/project", null), Alice, 9, text, null, null,
        new WebhookMergeRequest(500, 5, "Fix", "fix", "main", "opened", null, null, null));
}
