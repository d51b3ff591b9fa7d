using System.Text.Json;
using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>One test per behaviour of SPEC section 3.</summary>
public class TrainEngineTests
{
    [Test]
    public void First_car_gets_a_started_note_and_later_cars_their_position()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");

        train.Notes.ShouldBe([(1, "started a merge train"), (2, "added this merge request to the merge train at position 2"), (3, "added this merge request to the merge train at position 3")]);
    }

    [TestCase(true, MergeRequestState.Opened, "main", RejectionKind.BadRequest)]
    [TestCase(false, MergeRequestState.Closed, "main", RejectionKind.BadRequest)]
    [TestCase(false, MergeRequestState.Merged, "main", RejectionKind.BadRequest)]
    [TestCase(false, MergeRequestState.Opened, "develop", RejectionKind.BadRequest)]
    public void Adding_an_MR_that_is_not_open_ready_and_targeting_this_branch_is_rejected(bool draft, MergeRequestState state, string target, RejectionKind expected)
    {
        var train = new TrainHarness();
        var decision = train.Send(new MergeRequestAdded(TrainHarness.Mr(1, "a", draft, state) with { TargetBranch = target }, null, "alice"));

        decision.Rejection!.Kind.ShouldBe(expected);
        decision.Effects.ShouldBeEmpty();
        train.State.Cars.ShouldBeEmpty();
    }

    [Test]
    public void Adding_with_a_sha_that_is_not_the_MR_head_is_a_conflict()
    {
        var train = new TrainHarness();
        var decision = train.Add(1, "a", pinnedSha: "not-a");

        decision.Rejection!.Kind.ShouldBe(RejectionKind.Conflict);
        train.State.Cars.ShouldBeEmpty();
        train.Add(1, "a", pinnedSha: "a").Rejection.ShouldBeNull();
    }

    [Test]
    public void Adding_an_MR_already_on_the_train_is_a_conflict()
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        train.Add(1, "a").Rejection!.Kind.ShouldBe(RejectionKind.Conflict);
        train.State.Cars.Count.ShouldBe(1);
    }

    [Test]
    public void Adding_to_a_missing_target_branch_is_rejected()
    {
        var train = new TrainHarness();
        train.Send(new TargetBranchMoved(null, "bob"));

        train.Add(1, "a").Rejection!.Message.ShouldContain("does not exist");
    }

    [Test]
    public void Car_commit_is_a_merge_onto_the_car_ahead_with_GitLabs_message()
    {
        var train = new TrainHarness();
        train.Add(7, "a");
        train.Add(8, "b");

        var builds = train.Effects.OfType<BuildCar>().ToList();
        builds[0].ShouldSatisfyAllConditions(
            build => build.BaseSha.ShouldBe("t0"),
            build => build.HeadSha.ShouldBe("a"),
            build => build.MergeRef.ShouldBe("refs/merge-requests/7/merge"),
            build => build.Message.ShouldBe("Merge branch 'feature-7' into 'main'\n\nChange 7\n\nSee merge request group/project!7"));
        builds[1].BaseSha.ShouldBe("merge(t0,a)");
        builds[1].Position.ShouldBe(2);
        train.Effects.OfType<PublishCar>().Select(publish => publish.Branch).ShouldBe(["merge-train/main/7", "merge-train/main/8"]);
    }

    [Test]
    public void Car_pipeline_runs_on_the_published_branch_with_the_train_variables()
    {
        var train = new TrainHarness();
        train.Add(7, "a");
        train.Add(8, "b");

        var pipeline = train.Pipelines[train.PipelineOf(8)];
        pipeline.Ref.ShouldBe("merge-train/main/8");
        pipeline.Sha.ShouldBe("merge(merge(t0,a),b)");
        pipeline.Variables.ShouldBe(new Dictionary<string, string>
        {
            ["MERGE_TRAIN_IID"] = "8",
            ["MERGE_TRAIN_TARGET_BRANCH"] = "main",
            ["MERGE_TRAIN_POSITION"] = "2",
        });
    }

    [Test]
    public void Success_of_a_later_car_waits_until_it_is_first()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");

        train.FinishPipeline(2, PipelineStatus.Success);
        train.Effects.OfType<FastForwardTarget>().ShouldBeEmpty();
        train.Car(2).Stage.ShouldBe(CarStage.PipelinePassed);
        train.Target.ShouldBe("t0");

        train.FinishPipeline(1, PipelineStatus.Success);
        train.Effects.OfType<FastForwardTarget>().Select(ff => (ff.FromSha, ff.ToSha)).ShouldBe(
            [("t0", "merge(t0,a)"), ("merge(t0,a)", "merge(merge(t0,a),b)")]);
        train.Target.ShouldBe("merge(merge(t0,a),b)");
        train.State.Cars.ShouldBeEmpty();
        train.State.MergedCount.ShouldBe(2);
    }

    [Test]
    public void Merged_car_has_its_branch_deleted_a_note_and_a_success_status()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        var pipeline = train.PipelineOf(1);
        train.FinishPipeline(1, PipelineStatus.Success);

        train.DeletedBranches.ShouldContain("merge-train/main/1");
        train.Notes.Last().ShouldBe((1, $"merged by the merge train (pipeline #{pipeline})"));
        train.Statuses.Last().ShouldSatisfyAllConditions(
            status => status.State.ShouldBe(CommitState.Success),
            status => status.Sha.ShouldBe("a"));
        train.FinishedCar(1).MergedSha.ShouldBe("merge(t0,a)");
    }

    [Test]
    public void Failing_car_is_dropped_and_cars_behind_are_rebuilt()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        var ahead = train.PipelineOf(1);
        var behind = train.PipelineOf(3);

        train.FinishPipeline(2, PipelineStatus.Failed);

        train.PipelineOf(1).ShouldBe(ahead);
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
        train.Car(3).CommitSha.ShouldBe("merge(merge(t0,a),c)");
        train.Car(3).Rebuilds.ShouldBe(1);
        train.FinishedCar(2).DropReason.ShouldBe(DropReason.PipelineFailed);
        train.Statuses.ShouldContain(status => status.Iid == 2 && status.State == CommitState.Failed);
    }

    [Test]
    public void Pipeline_cancelled_by_a_user_drops_the_car()
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        train.FinishPipeline(1, PipelineStatus.Canceled);

        train.FinishedCar(1).DropReason.ShouldBe(DropReason.PipelineFailed);
    }

    [Test]
    public void Pipeline_cancelled_by_the_train_is_not_read_as_a_failure()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        var stale = train.PipelineOf(2);
        train.PushToTarget("t1");
        train.Pipelines[stale].CancelledByTrain.ShouldBeTrue();

        var decision = train.FinishPipeline(stale, PipelineStatus.Canceled);

        decision.Ignored.ShouldNotBeNull();
        decision.Effects.ShouldBeEmpty();
        train.Car(2).Status.ShouldBe(CarStatus.Fresh);
        train.State.Finished.ShouldBeEmpty();
    }

    [Test]
    public void Skipped_pipeline_counts_as_a_failure()
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        train.FinishPipeline(1, PipelineStatus.Skipped);

        train.FinishedCar(1).DropReason.ShouldBe(DropReason.PipelineFailed);
    }

    [TestCase(PipelineStatus.Created)]
    [TestCase(PipelineStatus.WaitingForResource)]
    [TestCase(PipelineStatus.Preparing)]
    [TestCase(PipelineStatus.Pending)]
    [TestCase(PipelineStatus.Running)]
    [TestCase(PipelineStatus.Manual)]
    [TestCase(PipelineStatus.Scheduled)]
    [TestCase(PipelineStatus.Canceling)]
    public void Unfinished_pipeline_statuses_are_recorded_and_change_nothing_else(PipelineStatus status)
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        var decision = train.FinishPipeline(1, status);

        decision.Effects.ShouldBeEmpty();
        train.Car(1).Pipeline!.Status.ShouldBe(status);
        train.Car(1).Status.ShouldBe(CarStatus.Fresh);
    }

    [Test]
    public void Conflicting_car_is_dropped_with_up_to_ten_paths_and_cars_behind_are_rebuilt()
    {
        var train = new TrainHarness();
        var paths = Enumerable.Range(1, 12).Select(i => $"src/file{i}.cs").ToArray();
        train.Conflicts["b"] = paths;
        train.Add(1, "a");
        train.Add(3, "c");
        var behind = train.PipelineOf(3);
        train.PushToTarget("t1");
        train.Add(2, "b");

        train.FinishedCar(2).ShouldSatisfyAllConditions(
            car => car.DropReason.ShouldBe(DropReason.MergeConflict),
            car => car.ConflictPaths.Count.ShouldBe(10));
        var note = train.Notes.Single(note => note.Iid == 2 && note.Body.StartsWith("removed", StringComparison.Ordinal)).Body;
        note.ShouldContain("merge conflicts");
        note.ShouldContain("`src/file10.cs`");
        note.ShouldNotContain("`src/file11.cs`");
        note.ShouldContain("and 2 more");
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
        train.Car(3).CommitSha.ShouldBe("merge(merge(t1,a),c)");
    }

    [Test]
    public void Conflict_of_a_middle_car_rebuilds_only_the_cars_behind()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 2 });
        train.Conflicts["b"] = ["README.md"];
        train.Add(1, "a");
        var ahead = train.PipelineOf(1);
        train.Add(2, "b");
        train.Add(3, "c");

        train.FinishedCar(2).DropReason.ShouldBe(DropReason.MergeConflict);
        train.PipelineOf(1).ShouldBe(ahead);
        train.Car(3).CommitSha.ShouldBe("merge(merge(t0,a),c)");
    }

    [Test]
    public void Target_moved_outside_the_train_rebuilds_every_car_on_the_new_head()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        var old = new[] { train.PipelineOf(1), train.PipelineOf(2) };

        train.PushToTarget("t1");

        old.ShouldAllBe(id => train.Pipelines[id].CancelledByTrain);
        train.Car(1).CommitSha.ShouldBe("merge(t1,a)");
        train.Car(2).CommitSha.ShouldBe("merge(merge(t1,a),b)");
        train.Audit.ShouldContain(record => record.Iid == 1 && record.From == CarStatus.Fresh && record.To == CarStatus.Stale);
        train.Car(1).Status.ShouldBe(CarStatus.Fresh);
    }

    [Test]
    public void Push_hook_of_the_trains_own_fast_forward_changes_nothing()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        var behind = train.PipelineOf(3);
        train.FinishPipeline(1, PipelineStatus.Success);
        train.FinishPipeline(2, PipelineStatus.Success);

        var decision = train.Send(new TargetBranchMoved("merge(t0,a)", "merge-train"));
        var later = train.Send(new TargetBranchMoved("merge(merge(t0,a),b)", "merge-train"));

        decision.Effects.ShouldBeEmpty();
        decision.Ignored.ShouldNotBeNull();
        later.Effects.ShouldBeEmpty();
        train.PipelineOf(3).ShouldBe(behind);
        train.State.TargetHeadSha.ShouldBe("merge(merge(t0,a),b)");
    }

    [Test]
    public void Push_hook_that_overtakes_the_fast_forward_report_merges_the_car()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.AutoRun = false;
        train.FinishPipeline(1, PipelineStatus.Success);
        train.Effects.OfType<FastForwardTarget>().Single().ToSha.ShouldBe("merge(t0,a)");

        train.Send(new TargetBranchMoved("merge(t0,a)", "merge-train"));
        var late = train.Send(new FastForwardSucceeded(1, "t0", "merge(t0,a)"));

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.State.TargetHeadSha.ShouldBe("merge(t0,a)");
        late.Effects.ShouldBeEmpty();
        train.State.MergedCount.ShouldBe(1);
    }

    [Test]
    public void Rejected_fast_forward_rebuilds_on_the_head_found()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.AutoRun = false;
        train.FinishPipeline(1, PipelineStatus.Success);

        train.AutoRun = true;
        train.Send(new FastForwardRejected(1, "merge(t0,a)", "t1"));

        train.Car(1).ShouldSatisfyAllConditions(
            car => car.PendingFastForwardSha.ShouldBeNull(),
            car => car.CommitSha.ShouldBe("merge(t1,a)"),
            car => car.Status.ShouldBe(CarStatus.Fresh));
    }

    [Test]
    public void Cars_beyond_MaxParallelPipelines_wait_idle_and_start_as_room_frees()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 2 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");

        train.RunningPipelines().Count().ShouldBe(2);
        train.Car(3).ShouldSatisfyAllConditions(car => car.Status.ShouldBe(CarStatus.Idle), car => car.Pipeline.ShouldBeNull());
        train.Effects.OfType<BuildCar>().ShouldNotContain(build => build.Iid == 3);

        train.FinishPipeline(1, PipelineStatus.Success);

        train.RunningPipelines().Count().ShouldBe(2);
        train.Car(3).CommitSha.ShouldBe("merge(merge(merge(t0,a),b),c)");
        train.Car(4).Status.ShouldBe(CarStatus.Idle);
    }

    [Test]
    public void MaxParallelPipelines_of_one_runs_the_train_serially()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 1 });
        train.Add(1, "a");
        train.Add(2, "b");

        train.RunningPipelines().Count().ShouldBe(1);
        train.FinishPipeline(1, PipelineStatus.Success);
        train.Car(2).CommitSha.ShouldBe("merge(merge(t0,a),b)");
        train.RunningPipelines().Count().ShouldBe(1);
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void MaxParallelPipelines_below_one_is_refused(int value)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainEngine(new TrainSettings { MaxParallelPipelines = value }));
    }

    [Test]
    public void Settings_have_the_documented_defaults()
    {
        var settings = new TrainSettings();

        settings.ShouldSatisfyAllConditions(
            s => s.MaxParallelPipelines.ShouldBe(20),
            s => s.FailedPipelineRetries.ShouldBe(0),
            s => s.PipelineTimeout.ShouldBe(TimeSpan.FromHours(2)),
            s => s.MergedResultsPipelines.ShouldBeTrue(),
            s => s.TrainLabel.ShouldBe("merge-train"),
            s => s.CarBranchPrefix.ShouldBe("merge-train/"));
    }

    [Test]
    public void Failed_pipeline_is_retried_up_to_FailedPipelineRetries_times_before_the_car_is_dropped()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 2 });
        train.Add(1, "a");
        train.Add(2, "b");
        var behind = train.PipelineOf(2);
        var first = train.PipelineOf(1);

        train.FinishPipeline(1, PipelineStatus.Failed);
        train.FinishPipeline(1, PipelineStatus.Failed);
        train.Car(1).Attempt.ShouldBe(2);
        train.PipelineOf(2).ShouldBe(behind);
        train.PipelineOf(1).ShouldBe(first);
        train.Effects.OfType<StartPipeline>().Count(start => start.Iid == 1).ShouldBe(1);
        train.Effects.OfType<RetryPipeline>().Select(retry => retry.Key).Distinct().Count().ShouldBe(2);

        train.FinishPipeline(1, PipelineStatus.Failed);
        train.FinishedCar(1).DropReason.ShouldBe(DropReason.PipelineFailed);
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
    }

    [Test]
    public void Pipeline_running_longer_than_the_timeout_is_cancelled_and_the_car_dropped()
    {
        var train = new TrainHarness(new TrainSettings { PipelineTimeout = TimeSpan.FromMinutes(30) });
        train.Add(1, "a");
        var slow = train.PipelineOf(1);
        train.Last.NextTimerAt.ShouldBe(train.Now + TimeSpan.FromMinutes(30));
        train.Now += TimeSpan.FromMinutes(10);
        train.Add(2, "b");

        train.Now += TimeSpan.FromMinutes(19);
        train.Send(new TimerTicked()).Ignored.ShouldNotBeNull();
        train.Now += TimeSpan.FromMinutes(1);
        train.Send(new TimerTicked());

        train.Pipelines[slow].CancelledByTrain.ShouldBeTrue();
        train.FinishedCar(1).DropReason.ShouldBe(DropReason.PipelineTimeout);
        train.Car(2).CommitSha.ShouldBe("merge(t0,b)");

        // The cancellation the train caused reports back as "canceled" and is not a second failure.
        train.FinishPipeline(slow, PipelineStatus.Canceled).Ignored.ShouldNotBeNull();
    }

    [Test]
    public void Paused_train_starts_no_pipelines_and_merges_nothing_and_resume_catches_up()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        var running = train.PipelineOf(1);
        train.Send(new TrainPaused("admin"));
        train.Add(2, "b");

        train.Car(2).Stage.ShouldBe(CarStage.ReadyForPipeline);
        train.Pipelines[running].Status.ShouldBe(PipelineStatus.Running);
        train.FinishPipeline(1, PipelineStatus.Success);
        train.Effects.OfType<FastForwardTarget>().ShouldBeEmpty();
        train.Target.ShouldBe("t0");

        train.Send(new TrainResumed("admin"));

        train.Target.ShouldBe("merge(t0,a)");
        train.Car(2).Pipeline.ShouldNotBeNull();
        train.Audit.Where(record => record.Iid is null).Select(record => record.Actor).ShouldBe(["admin", "admin"]);
    }

    [Test]
    public void Merge_immediately_merges_now_and_rebuilds_the_whole_train()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        var before = new[] { train.PipelineOf(1), train.PipelineOf(2), train.PipelineOf(3) };

        train.Send(new MergeImmediatelyRequested(2, "admin"));

        train.Effects.OfType<MergeImmediately>().Single().ShouldSatisfyAllConditions(
            merge => merge.BaseSha.ShouldBe("t0"),
            merge => merge.HeadSha.ShouldBe("b"));
        train.Target.ShouldBe("merge(t0,b)");
        train.FinishedCar(2).ShouldSatisfyAllConditions(
            car => car.Status.ShouldBe(CarStatus.Merged),
            car => car.Detail.ShouldBe("merged immediately by admin"));
        train.Notes.ShouldContain((2, "merged immediately by admin, skipping the merge train pipeline"));
        before.ShouldAllBe(id => train.Pipelines[id].CancelledByTrain);
        train.Car(1).CommitSha.ShouldBe("merge(merge(t0,b),a)");
        train.Car(3).CommitSha.ShouldBe("merge(merge(merge(t0,b),a),c)");
    }

    [Test]
    public void Merge_immediately_of_an_MR_not_on_the_train_is_not_found()
    {
        var train = new TrainHarness();

        train.Send(new MergeImmediatelyRequested(5, "admin")).Rejection!.Kind.ShouldBe(RejectionKind.NotFound);
    }

    [Test]
    public void MR_merged_outside_the_train_is_skip_merged_and_the_train_rebuilt_on_the_new_head()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");

        train.Send(new MergeRequestMerged(1, "t1", "bob"));

        train.FinishedCar(1).Status.ShouldBe(CarStatus.SkipMerged);
        train.Car(2).CommitSha.ShouldBe("merge(t1,b)");
    }

    [Test]
    public void MR_hook_for_the_trains_own_merge_changes_nothing()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        var behind = train.PipelineOf(2);
        train.FinishPipeline(1, PipelineStatus.Success);

        var decision = train.Send(new MergeRequestMerged(1, "merge(t0,a)", "merge-train"));

        decision.Effects.ShouldBeEmpty();
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.PipelineOf(2).ShouldBe(behind);
    }

    [Test]
    public void New_commits_on_an_MR_drop_it_as_source_updated_and_rebuild_the_cars_behind()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "a2"), "a", "carol"));

        train.FinishedCar(1).DropReason.ShouldBe(DropReason.SourceUpdated);
        train.Car(2).CommitSha.ShouldBe("merge(t0,b)");
        train.Notes.ShouldContain((1, "removed this merge request from the merge train because the source branch was updated"));
    }

    [Test]
    public void A_push_hook_that_reports_the_head_the_car_was_pinned_on_does_not_drop_it()
    {
        var train = new TrainHarness();
        train.Add(1, "a2");

        // The push that made a2 is reported after the MR joined the train on a2.
        var decision = train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "a2"), "a1", "carol"));

        decision.Effects.ShouldBeEmpty();
        train.Car(1).Status.ShouldBe(CarStatus.Fresh);
    }

    [Test]
    public void MR_update_without_new_commits_changes_nothing()
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        var decision = train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "a"), null, "carol"));

        decision.Effects.ShouldBeEmpty();
        train.Car(1).Status.ShouldBe(CarStatus.Fresh);
    }

    [Test]
    public void Closed_drafted_and_removed_MRs_are_dropped_with_their_reason()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");

        train.Send(new MergeRequestClosed(1, "carol"));
        train.Send(new MergeRequestDrafted(2, "carol"));
        train.Send(new MergeRequestRemoved(3, "carol"));

        train.State.Finished.Select(car => car.DropReason).ShouldBe([DropReason.Closed, DropReason.Draft, DropReason.RemovedByUser]);
        train.Car(4).CommitSha.ShouldBe("merge(t0,d)");
        train.Send(new MergeRequestRemoved(3, "carol")).Rejection!.Kind.ShouldBe(RejectionKind.NotFound);
    }

    [Test]
    public void Removal_while_the_fast_forward_is_in_flight_waits_for_its_result()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.AutoRun = false;
        train.FinishPipeline(1, PipelineStatus.Success);

        train.Send(new MergeRequestRemoved(1, "carol"));
        train.Car(1).Status.ShouldBe(CarStatus.Merging);
        train.Send(new FastForwardSucceeded(1, "t0", "merge(t0,a)"));

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void Removal_while_the_fast_forward_is_in_flight_drops_the_car_if_it_is_rejected()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.AutoRun = false;
        train.FinishPipeline(1, PipelineStatus.Success);

        train.Send(new MergeRequestRemoved(1, "carol"));
        train.Send(new FastForwardRejected(1, "merge(t0,a)", "t1"));

        train.FinishedCar(1).ShouldSatisfyAllConditions(
            car => car.DropReason.ShouldBe(DropReason.RemovedByUser),
            car => car.FinishedBy.ShouldBe("carol"));
    }

    [Test]
    public void Deleted_target_branch_drops_every_car_as_target_missing()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");

        train.Send(new TargetBranchMoved(null, "bob"));

        train.State.Cars.ShouldBeEmpty();
        train.State.Finished.ShouldAllBe(car => car.DropReason == DropReason.TargetMissing);
        train.RunningPipelines().ShouldBeEmpty();
    }

    [Test]
    public void Pipeline_result_for_an_outdated_car_commit_is_ignored()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        var old = train.PipelineOf(1);
        train.AutoRun = false;
        train.PushToTarget("t1");

        // GitLab reports the old pipeline passed before it saw the cancellation.
        var decision = train.Send(new PipelineStatusChanged(old, "merge(t0,a)", "merge-train/main/1", PipelineStatus.Success, null));

        decision.Ignored.ShouldNotBeNull();
        decision.Effects.ShouldBeEmpty();
        train.Car(1).Stage.ShouldBe(CarStage.Building);
    }

    [Test]
    public void Build_result_for_an_old_base_is_ignored()
    {
        var train = new TrainHarness();
        train.AutoRun = false;
        train.Add(1, "a");
        var first = train.Effects.OfType<BuildCar>().Single();
        train.PushToTarget("t1");

        var decision = train.Send(new CarBuilt(1, first.Generation, "t0", "merge(t0,a)"));

        decision.Ignored.ShouldNotBeNull();
        decision.Effects.ShouldBeEmpty();
    }

    [Test]
    public void Duplicate_and_out_of_order_pipeline_events_are_harmless()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.FinishPipeline(2, PipelineStatus.Success);
        var pipeline = train.PipelineOf(2);
        var sha = train.Car(2).CommitSha!;

        train.Send(new PipelineStatusChanged(pipeline, sha, null, PipelineStatus.Success, null)).Effects.ShouldBeEmpty();
        train.Send(new PipelineStatusChanged(pipeline, sha, null, PipelineStatus.Running, null)).Effects.ShouldBeEmpty();
        train.Send(new PipelineStatusChanged(pipeline, sha, null, PipelineStatus.Failed, null)).Effects.ShouldBeEmpty();

        train.Car(2).Stage.ShouldBe(CarStage.PipelinePassed);
        train.Car(2).Pipeline!.Status.ShouldBe(PipelineStatus.Success);
    }

    [Test]
    public void Pipeline_created_for_an_outdated_car_commit_is_cancelled()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.AutoRun = false;
        train.Add(2, "b");
        train.Send(new CarBuilt(2, train.Effects.OfType<BuildCar>().Last().Generation, "merge(t0,a)", "merge(merge(t0,a),b)"));
        train.Send(new CarPublished(2, train.Car(2).Generation, "merge(merge(t0,a),b)"));
        var start = train.Last.Effects.OfType<StartPipeline>().Single();

        train.Send(new MergeRequestClosed(1, "carol"));
        var decision = train.Send(new PipelineCreated(2, start.Generation, start.Attempt, 999, null));

        decision.Effects.OfType<CancelPipeline>().Single().PipelineId.ShouldBe(999);
        train.Send(new PipelineCreated(2, start.Generation, start.Attempt, 999, null)).Effects.ShouldBeEmpty();
    }

    [Test]
    public void Pipeline_hook_that_overtakes_the_creation_report_is_matched_by_ref_and_sha()
    {
        var train = new TrainHarness();
        train.AutoRun = false;
        train.Add(1, "a");
        var build = train.Effects.OfType<BuildCar>().Single();
        train.Send(new CarBuilt(1, build.Generation, "t0", "c1"));
        train.Send(new CarPublished(1, build.Generation, "c1"));

        train.Send(new PipelineStatusChanged(555, "c1", "merge-train/main/1", PipelineStatus.Success, null));
        train.Send(new PipelineCreated(1, build.Generation, 0, 555, null)).Ignored.ShouldNotBeNull();

        train.Car(1).ShouldSatisfyAllConditions(
            car => car.Pipeline!.Id.ShouldBe(555),
            car => car.PendingFastForwardSha.ShouldBe("c1"));
    }

    [Test]
    public void Every_status_change_is_audited_with_time_actor_and_reason()
    {
        var train = new TrainHarness();
        train.Add(1, "a", actor: "alice");
        train.FinishPipeline(1, PipelineStatus.Success);

        var transitions = train.Audit.Where(record => record.Iid == 1 && record.From != record.To).Select(record => (record.From, record.To)).ToList();
        transitions.ShouldBe([(null, CarStatus.Idle), (CarStatus.Idle, CarStatus.Fresh), (CarStatus.Fresh, CarStatus.Merging), (CarStatus.Merging, CarStatus.Merged)]);
        train.Audit.ShouldAllBe(record => record.At == train.Now && record.Reason.Length > 0);
        train.Audit.First().Actor.ShouldBe("alice");
    }

    [Test]
    public void Effect_keys_are_unique_over_a_trains_life_even_when_an_MR_comes_back()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.FinishPipeline(1, PipelineStatus.Failed);
        train.Add(1, "a");
        train.PushToTarget("t1");
        train.FinishPipeline(1, PipelineStatus.Success);

        train.Effects.Select(effect => effect.Key).ShouldBeUnique();
    }

    [Test]
    public void Decide_is_deterministic()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        var state = train.State;
        var pipeline = train.PipelineOf(1);
        var trainEvent = new PipelineStatusChanged(pipeline, "merge(t0,a)", null, PipelineStatus.Failed, null);

        var first = train.Engine.Decide(state, trainEvent, train.Now);
        var second = train.Engine.Decide(state, trainEvent, train.Now);

        JsonSerializer.Serialize(second).ShouldBe(JsonSerializer.Serialize(first));
        first.Effects.ShouldNotBeEmpty();
    }

    [Test]
    public void State_and_effects_round_trip_through_json()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e"), null, "carol"));
        train.FinishPipeline(2, PipelineStatus.Success);

        var json = JsonSerializer.Serialize(train.State);
        var back = JsonSerializer.Deserialize<TrainState>(json)!;
        JsonSerializer.Serialize(back).ShouldBe(json);
        json.ShouldContain("\"fresh\"");

        var effects = JsonSerializer.Serialize(train.Effects);
        JsonSerializer.Deserialize<List<TrainEffect>>(effects)!.Count.ShouldBe(train.Effects.Count);
        var trainEvent = JsonSerializer.Serialize<TrainEvent>(new PipelineStatusChanged(1, "s", "r", PipelineStatus.WaitingForResource, null));
        trainEvent.ShouldContain("\"waiting_for_resource\"");
        JsonSerializer.Deserialize<TrainEvent>(trainEvent).ShouldBeOfType<PipelineStatusChanged>();

        // The engine continues from the deserialised state as from the original.
        train.Engine.Decide(back, new TimerTicked(), train.Now).Ignored.ShouldNotBeNull();
    }
}
