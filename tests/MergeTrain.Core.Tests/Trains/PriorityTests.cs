using System.Text.Json;
using System.Text.Json.Nodes;
using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// Priorities (issue 12, part 3): a high-priority MR overtakes the normal cars that have not started
/// merging; the cars ahead of its place keep their commits and pipelines, the cars behind are rebuilt.
/// </summary>
public class PriorityTests
{
    [Test]
    public void High_priority_MR_overtakes_normal_cars_and_only_they_are_rebuilt()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        var before = new[] { train.PipelineOf(1), train.PipelineOf(2), train.PipelineOf(3) };

        AddHigh(train, 4, "d");

        Order(train).ShouldBe([4, 1, 2, 3]);
        train.Car(4).ShouldSatisfyAllConditions(
            car => car.Priority.ShouldBe(CarPriority.High),
            car => car.CommitSha.ShouldBe("merge(t0,d)"));
        train.Car(1).CommitSha.ShouldBe("merge(merge(t0,d),a)");
        train.Car(3).CommitSha.ShouldBe("merge(merge(merge(merge(t0,d),a),b),c)");
        before.ShouldAllBe(id => train.Pipelines[id].CancelledByTrain);
        train.Notes.Last().ShouldBe((4, "added this merge request to the merge train at position 1 with high priority"));
        train.Audit.ShouldContain(record => record.Iid == 4 && record.Reason == "added to the merge train at position 1 with high priority");
    }

    [Test]
    public void High_priority_MR_goes_behind_a_car_whose_fast_forward_is_pending_which_keeps_its_commit_and_pipeline()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.AutoRun = false;
        train.FinishPipeline(1, PipelineStatus.Success);
        var merging = train.Car(1);
        merging.PendingFastForwardSha.ShouldNotBeNull();
        var fastForward = train.Effects.OfType<FastForwardTarget>().Single();
        var buildsBefore = train.Effects.OfType<BuildCar>().Count();

        var decision = AddHigh(train, 4, "d");

        Order(train).ShouldBe([1, 4, 2, 3]);
        train.Car(1).ShouldSatisfyAllConditions(
            car => car.Generation.ShouldBe(merging.Generation),
            car => car.CommitSha.ShouldBe(merging.CommitSha),
            car => car.Pipeline.ShouldBe(merging.Pipeline),
            car => car.PendingFastForwardSha.ShouldBe(merging.PendingFastForwardSha));
        decision.Effects.OfType<BuildCar>().Select(build => (build.Iid, build.BaseSha)).ShouldBe([(4, "merge(t0,a)")]);
        decision.Effects.OfType<CancelPipeline>().Select(cancel => cancel.Iid).Order().ShouldBe([2, 3]);
        train.Effects.OfType<BuildCar>().Skip(buildsBefore).ShouldNotContain(build => build.Iid == 1);

        // The pending merge lands as if nothing happened, and the train goes on in its new order.
        train.Run();
        train.Target.ShouldBe(fastForward.ToSha);
        train.AutoRun = true;
        train.Run();
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.Car(4).CommitSha.ShouldBe("merge(merge(t0,a),d)");
        train.Car(2).CommitSha.ShouldBe("merge(merge(merge(t0,a),d),b)");
    }

    [Test]
    public void High_priority_MR_on_a_paused_train_goes_behind_the_passed_cars_at_the_front_which_keep_their_pipelines()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Send(new TrainPaused("ops"));
        train.FinishPipeline(2, PipelineStatus.Success);
        train.FinishPipeline(1, PipelineStatus.Success);
        var passed = new[] { train.Car(1), train.Car(2) };
        passed.ShouldAllBe(car => car.Stage == CarStage.PipelinePassed && car.PendingFastForwardSha == null, "paused: no fast-forward requested");

        var decision = AddHigh(train, 4, "d");

        Order(train).ShouldBe([1, 2, 4, 3]);
        train.Car(1).Pipeline.ShouldBe(passed[0].Pipeline);
        train.Car(2).Pipeline.ShouldBe(passed[1].Pipeline);
        decision.Effects.OfType<BuildCar>().Select(build => build.Iid).ShouldBe([4]);
        decision.Effects.OfType<CancelPipeline>().Select(cancel => cancel.Iid).ShouldBe([3]);
    }

    [Test]
    public void High_priority_MRs_queue_among_themselves_first_come_first_served_without_rebuilding_the_earlier_ones()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        AddHigh(train, 3, "c");
        var first = train.Car(3);

        var decision = AddHigh(train, 4, "d");

        Order(train).ShouldBe([3, 4, 1, 2]);
        train.Car(3).ShouldSatisfyAllConditions(
            car => car.Generation.ShouldBe(first.Generation),
            car => car.CommitSha.ShouldBe(first.CommitSha),
            car => car.Pipeline.ShouldBe(first.Pipeline),
            car => car.Rebuilds.ShouldBe(first.Rebuilds));
        decision.Effects.OfType<BuildCar>().Select(build => build.Iid).ShouldBe([4]);
        decision.Effects.OfType<CancelPipeline>().ShouldNotContain(cancel => cancel.Iid == 3);
        train.Notes.Last().ShouldBe((4, "added this merge request to the merge train at position 2 with high priority"));
    }

    [Test]
    public void High_priority_MR_never_overtakes_a_car_being_merged_immediately()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.AutoRun = false;
        train.Send(new MergeImmediatelyRequested(2, "admin"));
        train.Car(2).Stage.ShouldBe(CarStage.MergingImmediately);
        Order(train).ShouldBe([2, 1, 3]);

        AddHigh(train, 4, "d");

        // Immediate merges go first; the high-priority car goes right behind them.
        Order(train).ShouldBe([2, 4, 1, 3]);
        train.Car(2).Stage.ShouldBe(CarStage.MergingImmediately);
    }

    [Test]
    public void Normal_MR_still_joins_at_the_end_behind_high_priority_cars()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        AddHigh(train, 2, "b");

        train.Add(3, "c");

        Order(train).ShouldBe([2, 1, 3]);
        train.Car(3).Priority.ShouldBe(CarPriority.Normal);
    }

    [Test]
    public void Raising_the_priority_of_a_car_moves_it_forward_and_rebuilds_only_the_cars_it_overtook()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        train.Add(4, "d");
        AddHigh(train, 1, "a");
        var ahead = train.Car(1);
        train.Car(1).Priority.ShouldBe(CarPriority.High);
        Order(train).ShouldBe([1, 2, 3, 4]);
        train.Notes.Last().ShouldBe((1, "raised this merge request to high priority; it keeps position 1 of the merge train"));
        var second = train.Car(2);

        var decision = AddHigh(train, 4, "d");

        Order(train).ShouldBe([1, 4, 2, 3]);
        train.Car(1).ShouldSatisfyAllConditions(
            car => car.Generation.ShouldBe(ahead.Generation),
            car => car.Pipeline.ShouldBe(ahead.Pipeline));
        decision.Effects.OfType<BuildCar>().Select(build => build.Iid).ShouldBe([4]);
        decision.Effects.OfType<CancelPipeline>().Select(cancel => cancel.Iid).Order().ShouldBe([2, 3, 4]);
        train.Car(2).Generation.ShouldBeGreaterThan(second.Generation);
        train.Car(2).CommitSha.ShouldBe("merge(merge(merge(t0,a),d),b)");
        train.Notes.Last().ShouldBe((4, "raised this merge request to high priority: moved from position 4 to position 2 of the merge train"));
        train.Audit.ShouldContain(record => record.Iid == 4 && record.Reason == "priority raised to high by alice: moved from position 4 to position 2");

        // Asking again for the priority it has is the usual "already on the merge train".
        AddHigh(train, 4, "d").Rejection!.Kind.ShouldBe(RejectionKind.Conflict);
    }

    [Test]
    public void High_priority_MR_merges_in_its_new_order()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Add(2, "b");
        AddHigh(train, 3, "c");

        foreach (var iid in new[] { 3, 1, 2 })
        {
            train.FinishPipeline(iid, PipelineStatus.Success);
        }

        train.State.Cars.ShouldBeEmpty();
        train.State.Finished.Select(car => car.Iid).ShouldBe([3, 1, 2]);
        train.Target.ShouldBe("merge(merge(merge(t0,c),a),b)");
    }

    [Test]
    public void With_fewer_parallel_pipelines_a_high_priority_MR_pushes_the_last_running_car_out_of_the_window()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 2 });
        train.Add(1, "a");
        train.Add(2, "b");
        train.Add(3, "c");
        var first = train.Car(1);

        AddHigh(train, 4, "d");

        // !1's fast-forward is not requested (its pipeline runs), so !4 goes first; !2 leaves the window.
        Order(train).ShouldBe([4, 1, 2, 3]);
        train.Car(1).Generation.ShouldBeGreaterThan(first.Generation);
        train.Car(2).Stage.ShouldBe(CarStage.Waiting);
        train.State.Cars.Count(car => car.Pipeline is not null).ShouldBe(2);
    }

    [Test]
    public void Stored_cars_from_before_priorities_load_as_normal_and_priority_round_trips()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        AddHigh(train, 2, "b");
        var json = JsonNode.Parse(JsonSerializer.Serialize(train.State))!;
        json["Cars"]![0]!["Priority"]!.GetValue<string>().ShouldBe("high");
        json["Cars"]![0]!.AsObject().Remove("Priority");

        var old = JsonSerializer.Deserialize<TrainState>(json.ToJsonString())!;

        old.Cars[0].Priority.ShouldBe(CarPriority.Normal);
        old.Cars[1].Priority.ShouldBe(CarPriority.Normal);
        JsonSerializer.Deserialize<TrainState>(JsonSerializer.Serialize(train.State))!.Cars[0].Priority.ShouldBe(CarPriority.High);
        var stored = JsonNode.Parse(JsonSerializer.Serialize<TrainEvent>(new MergeRequestAdded(TrainHarness.Mr(1, "a"), null, "x") { Priority = CarPriority.High }))!;
        stored["Priority"]!.GetValue<string>().ShouldBe("high");
        stored.AsObject().Remove("Priority");
        var added = JsonSerializer.Deserialize<TrainEvent>(stored.ToJsonString());
        added.ShouldBeOfType<MergeRequestAdded>().Priority.ShouldBe(CarPriority.Normal);
    }

    [TestCase("high", true, CarPriority.High)]
    [TestCase("NORMAL", true, CarPriority.Normal)]
    [TestCase("urgent", false, CarPriority.Normal)]
    [TestCase("", false, CarPriority.Normal)]
    public void Priority_names_parse(string name, bool known, CarPriority expected)
    {
        CarPriorityNames.TryParse(name, out var priority).ShouldBe(known);
        priority.ShouldBe(expected);
    }

    [Test]
    public void Priority_label_must_differ_from_the_train_label()
    {
        Should.Throw<ArgumentException>(() => new TrainSettings { PriorityLabel = "merge-train" }.Validate());
        Should.Throw<ArgumentException>(() => new TrainSettings { PriorityLabel = " " }.Validate());
        new TrainSettings().Validate().PriorityLabel.ShouldBe("merge-train::high");
    }

    private static Decision AddHigh(TrainHarness train, int iid, string head) =>
        train.Send(new MergeRequestAdded(TrainHarness.Mr(iid, head), null, "alice") { Priority = CarPriority.High });

    private static int[] Order(TrainHarness train) => train.State.Cars.Select(car => car.Iid).ToArray();
}
