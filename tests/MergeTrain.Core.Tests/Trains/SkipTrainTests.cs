using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// Merging immediately without restarting the train (issue 16, part 3): the cars with pipelines keep
/// them, and each is rebuilt on the new target head only when it reaches the front, so the target
/// still only ever holds commits whose pipeline passed on exactly that commit.
/// </summary>
public class SkipTrainTests
{
    private static readonly TrainSettings Allowed = new() { SkipTrainAllowed = true };

    [Test]
    public void Keeping_the_train_is_refused_where_the_project_does_not_allow_it_and_nothing_changes()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        var before = train.State;

        var decision = train.Send(new MergeImmediatelyRequested(2, "admin") { KeepTrain = true });

        decision.Rejection!.Kind.ShouldBe(RejectionKind.Forbidden);
        decision.Rejection.Message.ShouldContain("SkipTrainAllowed");
        train.State.ShouldBe(before);
        decision.Effects.ShouldBeEmpty();
    }

    [Test]
    public void Merge_now_keeping_the_train_merges_at_once_and_the_cars_behind_keep_their_pipelines_until_they_reach_the_front()
    {
        var train = new TrainHarness(Allowed);
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");
        var first = train.PipelineOf(1);
        var kept = new[] { train.PipelineOf(3), train.PipelineOf(4) };

        train.Send(new MergeImmediatelyRequested(2, "admin") { KeepTrain = true });

        train.Target.ShouldBe("merge(t0,b)");
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
        train.Notes.ShouldContain((2, "merged immediately by admin, skipping the merge train pipeline; the train was not restarted: each car behind is tested again on the new target when it reaches the front"));

        // The front car is rebuilt on the new head at once; the others keep their commits and pipelines.
        train.Pipelines[first].CancelledByTrain.ShouldBeTrue();
        train.Car(1).ShouldSatisfyAllConditions(
            car => car.Stale.ShouldBeFalse(),
            car => car.CommitSha.ShouldBe("merge(merge(t0,b),a)"),
            car => car.Pipeline.ShouldNotBeNull());
        kept.ShouldAllBe(id => !train.Pipelines[id].CancelledByTrain);
        train.Car(3).ShouldSatisfyAllConditions(
            car => car.Stale.ShouldBeTrue(),
            car => car.Status.ShouldBe(CarStatus.Stale),
            car => car.CommitSha.ShouldBe("merge(merge(merge(t0,a),b),c)"),
            car => car.Pipeline!.Id.ShouldBe(kept[0]));
        train.Car(4).Pipeline!.Id.ShouldBe(kept[1]);

        // A kept pipeline that passes is not merged: its commit does not hold the immediate merge.
        train.FinishPipeline(3, PipelineStatus.Success);
        train.Target.ShouldBe("merge(t0,b)");

        // Each car is rebuilt and tested again when it reaches the front, and only then.
        train.FinishPipeline(1, PipelineStatus.Success);
        train.Target.ShouldBe("merge(merge(t0,b),a)");
        train.Car(3).ShouldSatisfyAllConditions(
            car => car.Stale.ShouldBeFalse(),
            car => car.CommitSha.ShouldBe("merge(merge(merge(t0,b),a),c)"));
        train.PipelineOf(3).ShouldNotBe(kept[0]);
        train.Car(4).Pipeline!.Id.ShouldBe(kept[1]);
        train.Pipelines[kept[1]].CancelledByTrain.ShouldBeFalse();

        train.FinishPipeline(3, PipelineStatus.Success);
        train.Target.ShouldBe("merge(merge(merge(t0,b),a),c)");
        train.Car(4).CommitSha.ShouldBe("merge(merge(merge(merge(t0,b),a),c),d)");
        train.FinishPipeline(4, PipelineStatus.Success);

        // Every commit the target held passed a pipeline on exactly that commit.
        var passed = train.Pipelines.Values.Where(p => p.Status == PipelineStatus.Success).Select(p => p.Sha).ToHashSet();
        train.Effects.OfType<FastForwardTarget>().Select(forward => forward.ToSha).ShouldAllBe(sha => passed.Contains(sha));
        train.Target.ShouldBe("merge(merge(merge(merge(t0,b),a),c),d)");
    }

    [Test]
    public void A_kept_car_whose_pipeline_fails_is_dropped_before_it_reaches_the_front_and_the_kept_cars_behind_it_are_thrown_away()
    {
        var train = new TrainHarness(Allowed);
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");
        train.Send(new MergeImmediatelyRequested(1, "admin") { KeepTrain = true });
        var behind = train.PipelineOf(4);
        train.Car(3).Stale.ShouldBeTrue();

        train.FinishPipeline(3, PipelineStatus.Failed);

        train.FinishedCar(3).ShouldSatisfyAllConditions(
            car => car.Status.ShouldBe(CarStatus.Dropped),
            car => car.DropReason.ShouldBe(DropReason.PipelineFailed));
        // What !4's pipeline tested held !3, which is not merging: it says nothing about !4 now.
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
        // !2 was at the front, rebuilt on the new head; with nothing kept in between, !4 is built behind it.
        train.Car(2).CommitSha.ShouldBe("merge(merge(t0,a),b)");
        train.Car(4).ShouldSatisfyAllConditions(
            car => car.Stale.ShouldBeFalse(),
            car => car.CommitSha.ShouldBe("merge(merge(merge(t0,a),b),d)"));
        train.PipelineOf(4).ShouldNotBe(behind);
    }

    [Test]
    public void Nothing_is_built_behind_a_kept_car()
    {
        var train = new TrainHarness(Allowed);
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Send(new MergeImmediatelyRequested(1, "admin") { KeepTrain = true });

        train.Add(5, "e");

        train.Car(5).ShouldSatisfyAllConditions(
            car => car.Stage.ShouldBe(CarStage.Waiting),
            car => car.CommitSha.ShouldBeNull());
        train.FinishPipeline(2, PipelineStatus.Success);
        train.Car(3).CommitSha.ShouldBe("merge(merge(merge(t0,a),b),c)");
        train.Car(5).CommitSha.ShouldBe("merge(merge(merge(merge(t0,a),b),c),e)");
    }

    [Test]
    public void Restarting_the_train_or_a_push_outside_it_throws_the_kept_cars_away()
    {
        var train = new TrainHarness(Allowed);
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");
        train.Send(new MergeImmediatelyRequested(1, "admin") { KeepTrain = true });
        var kept = train.PipelineOf(4);

        train.Send(new MergeImmediatelyRequested(2, "admin"));

        train.Pipelines[kept].CancelledByTrain.ShouldBeTrue();
        train.Car(3).ShouldSatisfyAllConditions(car => car.Stale.ShouldBeFalse(), car => car.CommitSha.ShouldBe("merge(merge(merge(t0,a),b),c)"));
        train.Car(4).CommitSha.ShouldBe("merge(merge(merge(merge(t0,a),b),c),d)");

        train.Add(5, "e");
        train.Send(new MergeImmediatelyRequested(3, "admin") { KeepTrain = true });
        train.Car(5).Stale.ShouldBeTrue();
        train.PushToTarget("t9");

        train.Car(4).CommitSha.ShouldBe("merge(t9,d)");
        train.Car(5).ShouldSatisfyAllConditions(car => car.Stale.ShouldBeFalse(), car => car.CommitSha.ShouldBe("merge(merge(t9,d),e)"));
    }

    [Test]
    public void A_failure_at_the_front_is_not_held_for_kept_cars_behind_which_could_never_absolve_it()
    {
        var train = new TrainHarness(Allowed with { PendingFailureDepth = 2 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Send(new MergeImmediatelyRequested(1, "admin") { KeepTrain = true });
        train.FinishPipeline(3, PipelineStatus.Success);

        train.FinishPipeline(2, PipelineStatus.Failed);

        train.FinishedCar(2).ShouldSatisfyAllConditions(
            car => car.Status.ShouldBe(CarStatus.Dropped),
            car => car.Detail!.ShouldContain("no car behind it could absolve it"));
        train.Target.ShouldBe("merge(t0,a)");
        train.Car(3).CommitSha.ShouldBe("merge(merge(t0,a),c)");
    }
}
