using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// The adaptive window and the CI budget (issue 13, parts 2 and 3): how many cars may start
/// pipelines. Narrowing never cancels a pipeline that is running; it only holds back new ones.
/// </summary>
public class WindowTests
{
    private static readonly TrainSettings Adaptive = new() { AdaptiveWindow = true, MinParallelPipelines = 2, MaxParallelPipelines = 8 };

    [Test]
    public void The_window_halves_when_a_car_is_dropped_for_its_pipeline_and_grows_by_one_with_every_merge()
    {
        var train = new TrainHarness(Adaptive);
        for (var iid = 1; iid <= 8; iid++)
        {
            train.Add(iid, $"h{iid}");
        }

        train.State.Cars.Count(car => car.Pipeline is not null).ShouldBe(8, "the window starts at the maximum");

        train.FinishPipeline(1, PipelineStatus.Failed);

        train.State.Window.ShouldBe(4);
        train.Audit.ShouldContain(record => record.Reason == "a car's pipeline failed: the window narrows to 4 car(s)");
        // The four cars behind the drop within the window are rebuilt; the others wait.
        train.State.Cars.Take(4).ShouldAllBe(car => car.Pipeline != null && car.BaseSha != null && !car.BaseSha.Contains("h1"));
        train.State.Cars.Skip(4).ShouldAllBe(car => car.Stage == CarStage.Waiting);
        train.Audit.ShouldContain(record => record.Iid == 6 && record.Reason == "waiting for room: the window is 4 car(s)");

        train.FinishPipeline(2, PipelineStatus.Success);

        train.State.Window.ShouldBe(5);
        train.State.Cars.Count(car => car.Pipeline is not null).ShouldBe(5);
    }

    [Test]
    public void The_window_never_narrows_below_its_floor_and_narrowing_cancels_no_running_pipeline()
    {
        var train = new TrainHarness(Adaptive with { MaxParallelPipelines = 4 });
        for (var iid = 1; iid <= 5; iid++)
        {
            train.Add(iid, $"h{iid}");
        }

        // !2 fails while !1 is still running: !1 keeps its pipeline, the window halves.
        var front = train.PipelineOf(1);
        train.FinishPipeline(2, PipelineStatus.Failed);
        train.State.Window.ShouldBe(2);
        train.PipelineOf(1).ShouldBe(front);
        train.Pipelines[front].CancelledByTrain.ShouldBeFalse();

        train.FinishPipeline(3, PipelineStatus.Failed);
        train.State.Window.ShouldBe(2, "the floor");
        train.State.Cars.Count(car => car.Pipeline is not null).ShouldBe(2);
    }

    [Test]
    public void A_spent_CI_budget_lets_only_the_first_car_start_pipelines_until_the_waste_has_drained()
    {
        var train = new TrainHarness(new TrainSettings { WastedMinutesPerHour = 30, PipelineTimeout = TimeSpan.FromHours(10) });
        for (var iid = 1; iid <= 4; iid++)
        {
            train.Add(iid, $"h{iid}");
        }

        foreach (var id in train.State.Cars.Select(car => car.Pipeline!.Id).ToList())
        {
            train.Send(new PipelineStatusChanged(id, train.Pipelines[id].Sha, train.Pipelines[id].Ref, PipelineStatus.Running, null));
        }

        // Forty minutes in, !1 fails: the three cars behind are rebuilt, throwing away 3 × 40 minutes.
        train.Now += TimeSpan.FromMinutes(40);
        var rebuilt = train.FinishPipeline(1, PipelineStatus.Failed);
        rebuilt.State.WasteDebtSeconds.ShouldBeGreaterThanOrEqualTo(30 * 60);
        train.Audit.ShouldContain(record => record.Reason.StartsWith("the CI budget (30 wasted pipeline minutes an hour) is spent", StringComparison.Ordinal));
        rebuilt.NextTimerAt.ShouldNotBeNull();

        // While it is spent, a rebuild starts the first car only.
        train.FinishPipeline(2, PipelineStatus.Failed);
        train.Car(3).Pipeline.ShouldNotBeNull();
        train.Car(4).ShouldSatisfyAllConditions(car => car.Stage.ShouldBe(CarStage.Waiting), car => car.Pipeline.ShouldBeNull());
        CiBudget.IsSpent(train.Engine.Settings, train.State, train.Now).ShouldBeTrue();

        // Once the debt has drained below an hour's worth, the timer lets the train speculate again.
        var freed = CiBudget.FreedAt(train.Engine.Settings, train.State)!.Value;
        train.Last.NextTimerAt.ShouldBe(freed);
        train.Now = freed;
        train.Send(new TimerTicked());
        train.Audit.ShouldContain(record => record.Reason == "the CI budget has recovered: the train speculates again");
        train.Car(4).Pipeline.ShouldNotBeNull();
        CiBudget.IsSpent(train.Engine.Settings, train.State, train.Now).ShouldBeFalse();
    }

    [Test]
    public void Settings_out_of_range_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { MinParallelPipelines = 0 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { MaxParallelPipelines = 3, MinParallelPipelines = 4 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { WastedMinutesPerHour = -1 }.Validate());
    }
}
