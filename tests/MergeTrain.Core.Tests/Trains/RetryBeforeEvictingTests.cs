using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>Issue 12: a failed car pipeline has its failed jobs retried in place, and the outcome is a diagnosis.</summary>
public class RetryBeforeEvictingTests
{
    [Test]
    public void A_failed_pipeline_is_retried_in_place_and_the_cars_behind_keep_their_pipelines()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        var first = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        var commit = train.Car(1).CommitSha;

        train.FailJobs(1, "unit-tests");

        var retry = train.Effects.OfType<RetryPipeline>().ShouldHaveSingleItem();
        retry.PipelineId.ShouldBe(first);
        retry.Attempt.ShouldBe(1);
        train.Pipelines[first].Retries.ShouldBe(1);
        var car = train.Car(1);
        car.Stage.ShouldBe(CarStage.PipelineRunning);
        car.Pipeline!.Id.ShouldBe(first);
        car.CommitSha.ShouldBe(commit);
        car.RetriedJobs.ShouldBe(["unit-tests"]);
        car.Rebuilds.ShouldBe(0);
        train.PipelineOf(2).ShouldBe(behind);
        train.Pipelines[behind].CancelledByTrain.ShouldBeFalse();
        train.Effects.OfType<StartPipeline>().Count().ShouldBe(2);
        train.Effects.OfType<BuildCar>().Count().ShouldBe(2);
    }

    [Test]
    public void Passed_on_retry_says_which_jobs_are_flaky_records_them_and_merges_in_place()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        var first = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        train.FailJobs(1, "unit-tests", "e2e");

        train.FinishPipeline(1, PipelineStatus.Success);

        train.Notes.ShouldContain((1, $"pipeline #{first} passed on retry; flaky jobs: unit-tests, e2e. The merge request keeps its place on the merge train"));
        train.JobRetries.Select(outcome => (outcome.Iid, outcome.PipelineId, outcome.JobName, outcome.Outcome))
            .ShouldBe([(1, first, "unit-tests", "passed_on_retry"), (1, first, "e2e", "passed_on_retry")]);
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.Target.ShouldBe(train.FinishedCar(1).MergedSha);
        train.PipelineOf(2).ShouldBe(behind);
        train.Car(2).Rebuilds.ShouldBe(0);
    }

    [Test]
    public void Failed_again_drops_the_car_naming_the_jobs_that_failed_again_and_those_that_passed()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 });
        train.Add(1, "a");
        train.Add(2, "b");
        var first = train.PipelineOf(1);
        var behind = train.PipelineOf(2);
        train.FailJobs(1, "unit-tests", "e2e");

        train.FailJobs(1, "e2e");

        var dropped = train.FinishedCar(1);
        dropped.DropReason.ShouldBe(DropReason.PipelineFailed);
        dropped.Detail.ShouldBe($"pipeline #{first} failed again after a retry; jobs that failed again: e2e; passed on retry: unit-tests");
        train.Notes.ShouldContain((1, $"removed this merge request from the merge train because the pipeline did not succeed ({dropped.Detail})"));
        train.Effects.OfType<ListFailedJobs>().ShouldHaveSingleItem().PipelineId.ShouldBe(first);
        train.Effects.OfType<RetryPipeline>().Count().ShouldBe(1);
        train.JobRetries.Select(outcome => (outcome.JobName, outcome.PassedOnRetry)).ShouldBe([("unit-tests", true), ("e2e", false)]);

        // Only now are the cars behind it rebuilt, without it.
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
        train.Car(2).BaseSha.ShouldBe("t0");
    }

    [Test]
    public void Without_retries_a_failed_pipeline_drops_the_car_at_once_as_before()
    {
        var train = new TrainHarness();
        train.Add(1, "a");

        train.FailJobs(1, "unit-tests");

        train.Effects.OfType<RetryPipeline>().ShouldBeEmpty();
        train.Effects.OfType<ListFailedJobs>().ShouldBeEmpty();
        train.FinishedCar(1).Detail.ShouldBe($"pipeline #{train.FinishedCar(1).Pipeline!.Id} failed");
        train.JobRetries.ShouldBeEmpty();
    }

    [Test]
    public void Events_of_the_pipeline_while_its_retry_is_requested_are_ignored_and_running_again_is_accepted_after()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 }) { AutoRun = false };
        train.Add(1, "a");
        train.Run();
        var pipeline = train.PipelineOf(1);
        train.FailJobs(1, "lint");
        train.Car(1).Stage.ShouldBe(CarStage.RetryingPipeline);

        // The failure's hook delivered twice, and the retry's running hook before the executor's report.
        train.FinishPipeline(pipeline, PipelineStatus.Failed).Ignored.ShouldNotBeNull();
        train.Car(1).Stage.ShouldBe(CarStage.RetryingPipeline);

        train.Run();
        train.Car(1).Stage.ShouldBe(CarStage.PipelineRunning);
        train.Car(1).Pipeline!.Status.ShouldBe(PipelineStatus.Pending);
        train.Send(new PipelineStatusChanged(pipeline, train.Car(1).CommitSha!, train.Car(1).Pipeline!.Ref, PipelineStatus.Running, null));
        train.Car(1).Pipeline!.Status.ShouldBe(PipelineStatus.Running);

        // The executor's report once more: a duplicate.
        train.Send(new PipelineRetried(1, train.Car(1).Generation, 1, pipeline, ["lint"])).Ignored.ShouldNotBeNull();
    }

    [Test]
    public void The_retrys_result_arriving_before_the_executors_report_is_kept_and_applied_with_it()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 }) { AutoRun = false };
        train.Add(1, "a");
        train.Run();
        var pipeline = train.PipelineOf(1);
        var car = train.Car(1);
        train.FailJobs(1, "lint");

        // GitLab retried and ran the job before the train decided the executor's report.
        train.Send(new PipelineStatusChanged(pipeline, car.CommitSha!, car.Pipeline!.Ref, PipelineStatus.Running, null));
        train.Send(new PipelineStatusChanged(pipeline, car.CommitSha!, car.Pipeline!.Ref, PipelineStatus.Success, null));
        train.Car(1).Stage.ShouldBe(CarStage.RetryingPipeline);

        train.Send(new PipelineRetried(1, car.Generation, 1, pipeline, ["lint"]));

        train.Car(1).Stage.ShouldBe(CarStage.PipelinePassed);
        train.Run();
        train.Notes.ShouldContain((1, $"pipeline #{pipeline} passed on retry; flaky jobs: lint. The merge request keeps its place on the merge train"));
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.JobRetries.ShouldHaveSingleItem().PassedOnRetry.ShouldBeTrue();
    }

    [Test]
    public void A_retry_reported_for_a_car_that_was_dropped_meanwhile_is_cancelled()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1 }) { AutoRun = false };
        train.Add(1, "a");
        train.Run();
        var pipeline = train.PipelineOf(1);
        var generation = train.Car(1).Generation;
        train.FailJobs(1, "lint");
        train.Send(new MergeRequestRemoved(1, "alice"));

        var decision = train.Send(new PipelineRetried(1, generation, 1, pipeline, ["lint"]));

        decision.Effects.OfType<CancelPipeline>().ShouldHaveSingleItem().PipelineId.ShouldBe(pipeline);
        train.FinishedCar(1).DropReason.ShouldBe(DropReason.RemovedByUser);
    }

    [Test]
    public void A_timed_out_pipeline_is_still_replaced_by_a_new_pipeline_on_the_same_commit()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 1, PipelineTimeout = TimeSpan.FromMinutes(30) });
        train.Add(1, "a");
        var slow = train.PipelineOf(1);

        train.Now += TimeSpan.FromMinutes(30);
        train.Send(new TimerTicked());

        train.Pipelines[slow].CancelledByTrain.ShouldBeTrue();
        train.PipelineOf(1).ShouldNotBe(slow);
        train.Car(1).Attempt.ShouldBe(1);
        train.Effects.OfType<RetryPipeline>().ShouldBeEmpty();
    }

    [Test]
    public void Two_retries_gather_the_jobs_of_each_and_the_final_success_names_them_all()
    {
        var train = new TrainHarness(new TrainSettings { FailedPipelineRetries = 2 });
        train.Add(1, "a");
        var first = train.PipelineOf(1);
        train.FailJobs(1, "lint");
        train.FailJobs(1, "e2e");

        train.FinishPipeline(1, PipelineStatus.Success);

        train.Effects.OfType<RetryPipeline>().Select(retry => retry.Attempt).ShouldBe([1, 2]);
        train.Notes.ShouldContain((1, $"pipeline #{first} passed on retry; flaky jobs: lint, e2e. The merge request keeps its place on the merge train"));
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
    }
}
