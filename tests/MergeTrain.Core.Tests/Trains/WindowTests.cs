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
    public void While_jobs_wait_for_a_runner_only_as_many_cars_run_pipelines_as_the_runners_run_and_the_queued_ones_beyond_are_cancelled()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 8, WindowFollowsRunners = true });
        for (var iid = 1; iid <= 8; iid++)
        {
            train.Add(iid, $"h{iid}");
        }

        // The runners take the first three pipelines; the other five queue.
        foreach (var iid in new[] { 1, 2, 3 })
        {
            Running(train, iid);
        }

        var queued = Enumerable.Range(4, 5).Select(train.PipelineOf).ToList();
        train.Send(new RunnerQueueReported(5));

        train.State.RunnerCapacity.ShouldBe(3);
        train.Audit.ShouldContain(record => record.Reason == "GitLab reports 5 job(s) of the project waiting for a runner: only as many cars run pipelines as the runners run (3)");
        queued.ShouldAllBe(id => train.Pipelines[id].CancelledByTrain, "no runner has taken them: cancelling costs nothing");
        train.RunningPipelines().Count().ShouldBe(3);
        train.Audit.ShouldContain(record => record.Iid == 4 && record.Reason == "waiting for room: jobs wait for a runner, so only as many cars run pipelines as the runners run (3)");

        // !1 fails: the cars behind are rebuilt, and only as many start as the runners run.
        train.FinishPipeline(1, PipelineStatus.Failed);
        train.State.Cars.Count(car => car.Pipeline is not null).ShouldBe(3);

        // The queue is empty again: the bound is lifted, and every car runs as the window lets.
        train.Send(new RunnerQueueReported(0));
        train.State.RunnerCapacity.ShouldBeNull();
        train.Audit.ShouldContain(record => record.Reason == "no job of the project waits for a runner: as many cars run pipelines as the window lets");
        train.State.Cars.ShouldAllBe(car => car.Pipeline != null);

        // The same report again changes nothing.
        train.Send(new RunnerQueueReported(0)).Ignored.ShouldBe("no job of the project waits for a runner");
    }

    [Test]
    public void A_car_beyond_the_runners_keeps_its_queued_pipeline_while_a_car_behind_it_runs()
    {
        var train = new TrainHarness(new TrainSettings { MaxParallelPipelines = 4, WindowFollowsRunners = true });
        for (var iid = 1; iid <= 5; iid++)
        {
            train.Add(iid, $"h{iid}");
        }

        // The runners took !1 and !4; !2 and !3 queue (a runner's tags or another project's jobs decide which).
        Running(train, 1);
        Running(train, 4);
        var second = train.PipelineOf(2);
        var third = train.PipelineOf(3);
        var fourth = train.PipelineOf(4);
        train.Send(new RunnerQueueReported(2));

        train.State.RunnerCapacity.ShouldBe(2);
        train.Pipelines[second].CancelledByTrain.ShouldBeFalse("within what the runners run");
        train.Pipelines[third].CancelledByTrain.ShouldBeFalse("cancelling it would rebuild !4, whose pipeline runs");
        train.PipelineOf(4).ShouldBe(fourth);
        train.Car(5).Pipeline.ShouldBeNull("the runners are full: nothing more starts");
    }

    [Test]
    public void A_runner_report_is_ignored_unless_the_window_follows_the_runners()
    {
        var train = new TrainHarness(Adaptive);
        train.Add(1, "h1");

        train.Send(new RunnerQueueReported(4)).Ignored.ShouldBe("the window does not follow the runners (WindowFollowsRunners is off)");
        train.State.RunnerCapacity.ShouldBeNull();
    }

    private static void Running(TrainHarness train, int iid)
    {
        var id = train.PipelineOf(iid);
        train.Send(new PipelineStatusChanged(id, train.Pipelines[id].Sha, train.Pipelines[id].Ref, PipelineStatus.Running, null));
    }

    [Test]
    public void Settings_out_of_range_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { MinParallelPipelines = 0 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { MaxParallelPipelines = 3, MinParallelPipelines = 4 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { WastedMinutesPerHour = -1 }.Validate());
    }
}
