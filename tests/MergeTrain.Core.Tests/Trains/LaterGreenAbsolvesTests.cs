using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>Issue 12, part 2: a failed car waits for the cars behind it; one that passes merges them all at its tested commit.</summary>
public class LaterGreenAbsolvesTests
{
    [Test]
    public void A_later_green_merges_the_failed_car_with_it_at_exactly_the_commit_that_passed()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        var failed = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        var tested = train.Car(2).CommitSha;
        train.Notes.Clear();

        train.FailJobs(1, "unit");

        train.Car(1).Stage.ShouldBe(CarStage.FailurePending);
        train.PipelineOf(2).ShouldBe(behind);
        train.Pipelines[behind].CancelledByTrain.ShouldBeFalse();
        train.Notes.ShouldBeEmpty();

        train.FinishPipeline(2, PipelineStatus.Success);

        var forward = train.Effects.OfType<FastForwardTarget>().ShouldHaveSingleItem();
        (forward.Iid, forward.FromSha, forward.ToSha).ShouldBe((2, "t0", tested));
        train.Target.ShouldBe(tested);
        train.State.Cars.ShouldBeEmpty();
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.FinishedCar(1).MergedSha.ShouldBe(tested);
        train.FinishedCar(2).MergedSha.ShouldBe(tested);
        train.State.MergedCount.ShouldBe(2);
        train.Notes.ShouldBe([
            (1, $"merged by the merge train: its pipeline #{failed} failed, but pipeline #{behind} of !2, which contains these changes, passed, and the target branch now holds exactly that tested commit (a later green absolves)"),
            (2, $"merged by the merge train (pipeline #{behind})"),
        ]);
    }

    [Test]
    public void When_the_depth_of_cars_behind_fail_too_the_failed_car_is_dropped_and_they_are_rebuilt_without_it()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 1, FailedPipelineRetries = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        var failed = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        train.FinishPipeline(1, PipelineStatus.Skipped);

        // A retry is spent on the first car only: the failure behind it is explained by it.
        train.FinishPipeline(train.PipelineOf(1), PipelineStatus.Skipped);
        train.Car(1).Stage.ShouldBe(CarStage.FailurePending);
        train.FailJobs(2, "unit");

        train.Effects.OfType<RetryPipeline>().ShouldBeEmpty();
        var dropped = train.FinishedCar(1);
        dropped.DropReason.ShouldBe(DropReason.PipelineFailed);
        dropped.Detail.ShouldEndWith("; the car behind it failed too");
        train.Notes.ShouldContain((1, $"removed this merge request from the merge train because the pipeline did not succeed ({dropped.Detail})"));
        var car = train.Car(2);
        car.BaseSha.ShouldBe("t0");
        car.Stage.ShouldBe(CarStage.PipelineRunning);
        car.Pipeline!.Id.ShouldNotBe(behind);
        car.PendingFailure.ShouldBeNull();
        failed.ShouldNotBe(train.PipelineOf(2));
    }

    [Test]
    public void With_no_car_behind_that_could_report_the_failed_car_is_dropped_at_once()
    {
        var alone = new TrainHarness(new TrainSettings { PendingFailureDepth = 2 });
        alone.Add(1, "a");
        alone.FailJobs(1, "unit");
        alone.FinishedCar(1).Detail.ShouldBe($"pipeline #{alone.FinishedCar(1).Pipeline!.Id} failed; no car behind it could absolve it");

        // The car behind has no pipeline: it waits for room (MaxParallelPipelines 1).
        var serial = new TrainHarness(new TrainSettings { PendingFailureDepth = 2, MaxParallelPipelines = 1 });
        serial.Add(1, "a");
        serial.Add(2, "b");
        serial.FailJobs(1, "unit");
        serial.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        serial.Car(2).Stage.ShouldBe(CarStage.PipelineRunning);
    }

    [Test]
    public void Several_failed_cars_are_absolved_by_the_first_car_behind_them_that_passes()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 2 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");
        var tested = train.Car(3).CommitSha;

        train.FailJobs(1, "unit");
        train.FailJobs(2, "unit");
        train.Car(1).Stage.ShouldBe(CarStage.FailurePending);
        train.Car(2).Stage.ShouldBe(CarStage.FailurePending);
        train.FinishPipeline(3, PipelineStatus.Success);

        train.Target.ShouldBe(tested);
        foreach (var iid in Enumerable.Range(1, 3))
        {
            (train.FinishedCar(iid).Status, train.FinishedCar(iid).MergedSha).ShouldBe((CarStatus.Merged, tested));
        }

        train.Car(4).BaseSha.ShouldBe(tested);
        train.Car(4).Rebuilds.ShouldBe(0);
    }

    [Test]
    public void A_later_green_behind_a_running_car_waits_until_the_failed_car_is_first()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.FailJobs(2, "unit");
        train.FinishPipeline(3, PipelineStatus.Success);

        train.Effects.OfType<FastForwardTarget>().ShouldBeEmpty();
        train.Car(2).Stage.ShouldBe(CarStage.FailurePending);

        train.FinishPipeline(1, PipelineStatus.Success);

        train.Effects.OfType<FastForwardTarget>().Select(forward => forward.Iid).ShouldBe([1, 3]);
        train.State.Cars.ShouldBeEmpty();
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void A_rejected_fast_forward_puts_every_absolved_car_back_and_an_ending_that_arrived_meanwhile_applies()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 1 }) { AutoRun = false };
        train.Add(1, "a");
        train.Add(2, "b");
        train.Run();
        train.FailJobs(1, "unit");
        train.Run();
        train.FinishPipeline(2, PipelineStatus.Success);
        var forward = train.Effects.OfType<FastForwardTarget>().ShouldHaveSingleItem();
        train.State.Cars.ShouldAllBe(car => car.PendingFastForwardSha == forward.ToSha && car.Status == CarStatus.Merging);

        // !1 is closed while the fast-forward is in flight, and the target moved meanwhile.
        train.Send(new MergeRequestClosed(1, "bob"));
        train.Car(1).PendingEnding.ShouldNotBeNull();
        train.Send(new FastForwardRejected(2, forward.ToSha, "t1"));

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        var car = train.Car(2);
        car.PendingFastForwardSha.ShouldBeNull();
        car.Stage.ShouldBe(CarStage.Building);
        car.BaseSha.ShouldBe("t1");
    }

    [Test]
    public void Off_by_default_a_failure_drops_the_car_at_once_as_gitlab_does()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.FailJobs(1, "unit");

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        train.Car(2).BaseSha.ShouldBe("t0");
    }

    [Test]
    public void A_good_car_whose_pipeline_fails_before_the_broken_car_ahead_is_not_blamed()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 2 });
        train.Add(1, "bad");
        train.Add(2, "good");
        train.Add(3, "good too");
        train.FailJobs(1, "unit");

        // Its pipeline contains !1's changes: GitLab would drop it; here it reports against !1.
        train.FailJobs(2, "unit");
        train.Car(2).FailureHeld.ShouldBeTrue();
        train.Notes.ShouldNotContain(note => note.Iid == 2 && note.Body.StartsWith("removed", StringComparison.Ordinal));

        train.FailJobs(3, "unit");

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        train.State.Finished.ShouldNotContain(car => car.Iid == 2);
        train.Car(2).BaseSha.ShouldBe("t0");
        train.Car(2).FailureHeld.ShouldBeFalse();
        train.FinishPipeline(2, PipelineStatus.Success);
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void A_held_failure_becomes_the_cars_own_once_the_cars_ahead_passed()
    {
        var train = new TrainHarness(new TrainSettings { PendingFailureDepth = 1, FailedPipelineRetries = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.FailJobs(1, "unit");
        train.FailJobs(2, "unit");
        train.Car(2).FailureHeld.ShouldBeTrue();

        train.FinishPipeline(1, PipelineStatus.Success);

        // !1 passed on retry and merged; !2's failure is its own now: its failed jobs are retried in place.
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.Effects.OfType<RetryPipeline>().Select(retry => retry.Iid).ShouldBe([1, 2]);
        train.Car(2).Stage.ShouldBe(CarStage.PipelineRunning);
    }

    [Test]
    public void With_retries_only_a_failure_behind_a_car_being_retried_waits_for_it()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 });
        train.Add(1, "bad");
        train.Add(2, "good");
        train.FailJobs(1, "unit");
        train.Car(1).Stage.ShouldBe(CarStage.PipelineRunning);
        train.Car(1).Attempt.ShouldBe(1);

        train.FailJobs(2, "unit");
        train.Car(2).FailureHeld.ShouldBeTrue();
        train.FailJobs(1, "unit");

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        train.Car(2).BaseSha.ShouldBe("t0");
        train.Effects.OfType<RetryPipeline>().Select(retry => retry.Iid).ShouldBe([1]);
    }
}
