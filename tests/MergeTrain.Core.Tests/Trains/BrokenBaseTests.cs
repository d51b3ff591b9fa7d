using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>Issue 12, part 1: when the same jobs fail on the commit ahead, the base is broken and nobody on the train is blamed.</summary>
public class BrokenBaseTests
{
    [Test]
    public void The_same_jobs_failing_on_the_target_head_pause_the_train_and_blame_nobody()
    {
        var train = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true });
        train.BasePipelines["t0"] = (7, ["lint", "unit"]);
        train.Add(1, "a");
        train.Add(2, "b");
        var failed = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        var commit = train.Car(1).CommitSha;
        train.Notes.Clear();

        train.FailJobs(1, "lint");

        train.Effects.OfType<ListBaseFailedJobs>().ShouldHaveSingleItem().BaseSha.ShouldBe("t0");
        train.State.Finished.ShouldBeEmpty();
        train.State.Paused.ShouldBeTrue();
        train.Notes.ShouldBe([(1, $"pipeline #{failed} failed, but the same jobs (lint) also fail on the commit ahead of it (t0, pipeline #7): the base is broken, not this merge request. It keeps its place; the merge train is paused until 'main' is fixed and an operator resumes it")]);
        train.Car(1).Stage.ShouldBe(CarStage.ReadyForPipeline);
        train.Car(1).CommitSha.ShouldBe(commit);
        train.Car(2).Stage.ShouldBe(CarStage.ReadyForPipeline);
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();

        // Fixed outside the train, then resumed: the cars are rebuilt on the fix and merge.
        train.PushToTarget("t1");
        train.Send(new TrainResumed("ops"));
        train.Car(1).BaseSha.ShouldBe("t1");
        train.FinishPipeline(1, PipelineStatus.Success);
        train.FinishPipeline(2, PipelineStatus.Success);
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void After_retries_the_jobs_that_failed_again_are_compared()
    {
        var train = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true, FailedPipelineRetries = 1 });
        train.BasePipelines["t0"] = (7, ["e2e"]);
        train.Add(1, "a");
        train.FailJobs(1, "e2e", "unit");

        train.FailJobs(1, "e2e");

        train.State.Paused.ShouldBeTrue();
        train.Car(1).Stage.ShouldBe(CarStage.ReadyForPipeline);
        train.Car(1).Attempt.ShouldBe(0);
    }

    [Test]
    public void A_base_that_passed_those_jobs_or_has_no_pipeline_leaves_the_failure_to_the_merge_request()
    {
        var passed = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true });
        passed.BasePipelines["t0"] = (7, ["e2e"]);
        passed.Add(1, "a");
        passed.FailJobs(1, "lint", "e2e");
        passed.State.Paused.ShouldBeFalse();
        passed.FinishedCar(1).Detail.ShouldBe($"pipeline #{passed.FinishedCar(1).Pipeline!.Id} failed; failed jobs: lint, e2e");

        var unknown = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true });
        unknown.Add(1, "a");
        unknown.FailJobs(1, "lint");
        unknown.State.Paused.ShouldBeFalse();
        unknown.FinishedCar(1).Status.ShouldBe(CarStatus.Dropped);
        unknown.Audit.ShouldContain(record => record.Reason == "the commit ahead has no finished pipeline: nothing is known about the base");
    }

    [Test]
    public void Only_the_first_car_asks_gitlab_the_car_ahead_of_the_others_is_on_the_train()
    {
        var train = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true });
        train.BasePipelines["t0"] = (7, ["lint"]);
        train.Add(1, "a");
        train.Add(2, "b");

        train.FailJobs(2, "lint");

        train.Effects.OfType<ListBaseFailedJobs>().ShouldBeEmpty();
        train.Effects.OfType<ListFailedJobs>().ShouldBeEmpty();
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Dropped);
        train.State.Paused.ShouldBeFalse();
    }

    [Test]
    public void A_sound_base_then_a_later_green_absolves()
    {
        var train = new TrainHarness(new TrainSettings { DiagnoseBrokenBase = true, PendingFailureDepth = 1 });
        train.BasePipelines["t0"] = (7, []);
        train.Add(1, "a");
        train.Add(2, "b");
        train.FailJobs(1, "lint");
        train.Car(1).Stage.ShouldBe(CarStage.FailurePending);

        train.FinishPipeline(2, PipelineStatus.Success);

        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
    }
}
