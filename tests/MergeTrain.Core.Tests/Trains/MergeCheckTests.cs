using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>Issue 16, part 2: GitLab's merge checks on add and while a car waits.</summary>
public class MergeCheckTests
{
    private static readonly MergeCheck NotApproved = MergeCheck.Of("not_approved", hasConflicts: false, blockingDiscussionsResolved: true)!;
    private static readonly MergeCheck ThreadsOpen = MergeCheck.Of("discussions_not_resolved", hasConflicts: false, blockingDiscussionsResolved: false)!;

    [TestCase("mergeable")]
    [TestCase("ci_must_pass")]
    [TestCase("ci_still_running")]
    [TestCase("need_rebase")]
    [TestCase("checking")]
    [TestCase("unchecked")]
    [TestCase("preparing")]
    [TestCase("approvals_syncing")]
    public void Statuses_the_train_runs_or_fixes_itself_do_not_block(string status) =>
        MergeCheck.Of(status, hasConflicts: false, blockingDiscussionsResolved: true).ShouldBeNull();

    [TestCase("not_approved", "Approval is required before merge.")]
    [TestCase("discussions_not_resolved", "All discussions must be resolved before merge.")]
    [TestCase("conflict", "Conflicts exist between the source and target branches.")]
    [TestCase("requested_changes", "The merge request has reviewers who have requested changes.")]
    [TestCase("merge_request_blocked", "Blocked by another merge request.")]
    [TestCase("some_future_check", "The merge request cannot be merged (some_future_check).")]
    public void Other_statuses_block_with_GitLabs_description(string status, string reason) =>
        MergeCheck.Of(status, hasConflicts: false, blockingDiscussionsResolved: true)!.Reason.ShouldBe(reason);

    [Test]
    public void While_GitLab_is_still_checking_its_other_fields_decide()
    {
        MergeCheck.Of("checking", hasConflicts: true, blockingDiscussionsResolved: true)!.Status.ShouldBe("conflict");
        MergeCheck.Of("unchecked", hasConflicts: false, blockingDiscussionsResolved: false)!.Status.ShouldBe("discussions_not_resolved");
        MergeCheck.Of(null, hasConflicts: false, blockingDiscussionsResolved: true).ShouldBeNull("GitLab before 15.6 has no detailed_merge_status");
    }

    [Test]
    public void An_MR_failing_a_check_is_refused_with_GitLabs_reason()
    {
        var train = new TrainHarness();
        var decision = train.Send(new MergeRequestAdded(TrainHarness.Mr(1, "a") with { FailedCheck = NotApproved }, null, "alice"));

        decision.Rejection.ShouldBe(new Rejection(RejectionKind.BadRequest, "Approval is required before merge."));
        train.State.Cars.ShouldBeEmpty();
    }

    [Test]
    public void A_refused_label_or_comment_gets_a_note_instead_of_an_answer()
    {
        var train = new TrainHarness();
        var decision = train.Send(new MergeRequestAdded(TrainHarness.Mr(1, "a") with { FailedCheck = ThreadsOpen }, null, "alice") { NoteWhenRefused = true });

        decision.Rejection.ShouldBeNull();
        train.State.Cars.ShouldBeEmpty();
        train.Notes.ShouldBe([(1, "could not add this merge request to the merge train: All discussions must be resolved before merge.")]);

        train.Send(new MergeRequestAdded(TrainHarness.Mr(2, "b", draft: true), null, "alice") { NoteWhenRefused = true });
        train.Notes[^1].ShouldBe((2, "could not add this merge request to the merge train: Can't merge because the merge request is a draft."));
    }

    [Test]
    public void A_waiting_car_stays_for_a_new_thread_and_leaves_when_its_approval_is_revoked()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "a") with { FailedCheck = ThreadsOpen }, null, "carol"));
        train.State.Cars.Select(car => car.Iid).ShouldBe([1, 2]);

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "a") with { FailedCheck = NotApproved }, null, "carol"));
        train.State.Cars.Select(car => car.Iid).ShouldBe([2]);
        train.State.Finished.ShouldHaveSingleItem().DropReason.ShouldBe(DropReason.NotMergeable);
        train.Notes[^1].ShouldBe((1, "removed this merge request from the merge train because it can no longer be merged: Approval is required before merge."));
    }
}
