namespace MergeTrain.Core.Trains;

/// <summary>
/// Retry before evicting (issue 12): a failed car pipeline has its failed jobs retried in place
/// (GitLab's pipeline retry) while the car keeps its place and commit, so the cars behind it keep
/// their pipelines; the outcome is a diagnosis: passed on retry (flaky jobs) or failed again.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>
    /// The car's pipeline did not pass. With retries left, its failed jobs are retried in place when
    /// <paramref name="retryJobs"/> (a failed or cancelled pipeline), or a new pipeline is started on
    /// the same commit (a timeout, a skipped pipeline). Without, the car is dropped; after a retry,
    /// only once the jobs that failed again are named.
    /// </summary>
    private void FailCarPipeline(int index, DropReason reason, string detail, bool retryJobs = false, bool judged = false)
    {
        var car = _cars[index];
        if (car.SetAside is not null && car.Attempt == 0 && !judged)
        {
            // Its search judges it (SettleSearch), once the cars ahead of it are cleared.
            HoldSetAside(index, reason, detail);
            return;
        }

        if (car.SetAside is null && UnjudgedAhead(index) is { } ahead)
        {
            // Its commit contains the changes of a car ahead that failed or has not passed yet: this
            // failure says nothing about this car until that car is judged, so no retry is spent on it.
            HoldBehind(index, reason, detail, ahead);
            return;
        }

        if (IsUnattributed(index))
        {
            // A batch is bisected at once, without a retry, which would cost every MR in it a round;
            // the MR the bisection finds gets the retries before it is dropped, so a flaky job still
            // costs nobody their place.
            FailedForGood(index, reason, detail, []);
            return;
        }

        if (car.Attempt < _settings.FailedPipelineRetries)
        {
            var attempt = car.Attempt + 1;
            if (retryJobs && car.Pipeline is { } failed)
            {
                _cars[index] = car with { Stage = CarStage.RetryingPipeline, Attempt = attempt, Pipeline = failed with { RetriedAt = null }, UpdatedAt = _now };
                Audit(car.Iid, car.Status, car.Status, $"{detail}; retrying its failed jobs ({attempt} of {_settings.FailedPipelineRetries})");
                Emit(new RetryPipeline($"retry-pipeline/{car.Iid}/g{car.Generation}/a{attempt}", car.Iid, car.Generation, attempt, failed.Id));
                return;
            }

            ReleasePipeline(car, detail);
            _cars[index] = car with
            {
                Stage = CarStage.ReadyForPipeline,
                Pipeline = null,
                PipelineRequestedAt = null,
                Attempt = attempt,
                RetriedJobs = [],
                UpdatedAt = _now,
            };
            Audit(car.Iid, car.Status, car.Status, $"{detail}; retry {attempt} of {_settings.FailedPipelineRetries}");
            return;
        }

        // The jobs are named after a retry (the diagnosis), and for the base check.
        if (retryJobs && car.Pipeline is { } pipeline && (car.RetriedJobs.Count > 0 || ChecksBase(index)))
        {
            _cars[index] = car with { Stage = CarStage.ListingFailedJobs, UpdatedAt = _now };
            Audit(car.Iid, car.Status, car.Status, car.RetriedJobs.Count > 0 ? $"{detail} again after a retry; naming the jobs that failed again" : $"{detail}; naming the failed jobs");
            Emit(new ListFailedJobs($"list-failed-jobs/{car.Iid}/g{car.Generation}/a{car.Attempt}", car.Iid, car.Generation, pipeline.Id));
            return;
        }

        FailedForGood(index, reason, detail, []);
    }

    private void OnPipelineRetried(PipelineRetried e)
    {
        var index = FindCar(e.Iid);
        if (index >= 0
            && _cars[index] is { Stage: CarStage.RetryingPipeline, Pipeline: { } pipeline } car
            && car.Generation == e.Generation
            && car.Attempt == e.Attempt
            && pipeline.Id == e.PipelineId)
        {
            // The pipeline's later events (running, then its new result) are the retry's; the
            // timeout counts again from here, since the retried jobs need their time.
            var retried = car.RetriedJobs.Concat(e.FailedJobs).Distinct(StringComparer.Ordinal).ToArray();
            var seenRunning = pipeline.RetriedAt is not null;
            _cars[index] = car with
            {
                Stage = CarStage.PipelineRunning,
                Pipeline = seenRunning ? pipeline : pipeline with { Status = PipelineStatus.Pending, UpdatedAt = _now, RetriedAt = _now },
                PipelineRequestedAt = _now,
                RetriedJobs = retried,
                UpdatedAt = _now,
            };
            Audit(car.Iid, car.Status, car.Status, $"pipeline #{pipeline.Id} retried; failed jobs: {TrainNotes.JobList(e.FailedJobs)}");
            if (seenRunning && pipeline.Status.IsFinished())
            {
                // The retry's result came before this report (see ObserveRetry): apply it now.
                ApplyCarPipelineStatus(index, new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, pipeline.Status, pipeline.WebUrl));
            }

            return;
        }

        if (_cars.Any(other => other.Pipeline?.Id == e.PipelineId))
        {
            Ignore("a duplicate or outdated pipeline retry");
            return;
        }

        // Retried for a car that left or was rebuilt meanwhile: the pipeline runs again for nobody.
        // (A duplicate report cancels again, harmlessly: hence a key of its own.)
        Emit(new CancelPipeline($"cancel-pipeline/{e.PipelineId}/s{_nextSequence++}", e.PipelineId, e.Iid, "retry of a pipeline the train no longer needs"));
        if (!IsRetired(e.PipelineId))
        {
            Retire(e.PipelineId);
        }
    }

    /// <summary>
    /// An event of the car's pipeline before the executor reported the retry. Once the pipeline is
    /// seen unfinished again the retry has begun (<see cref="PipelineSnapshot.RetriedAt"/>), and a
    /// result after that is the retry's: kept, and applied with the report. A result not preceded by
    /// such a sign may be the first failure told twice: ignored (a poll tells it again later).
    /// </summary>
    private void ObserveRetry(int index, PipelineStatusChanged e)
    {
        var car = _cars[index];
        var pipeline = car.Pipeline!;
        if (!e.Status.IsFinished())
        {
            _cars[index] = car with { Pipeline = pipeline with { Status = e.Status, WebUrl = e.WebUrl ?? pipeline.WebUrl, UpdatedAt = _now, RetriedAt = pipeline.RetriedAt ?? _now } };
            return;
        }

        if (pipeline.RetriedAt is null || pipeline.Status.IsFinished())
        {
            Ignore("a result of the pipeline before its retry was reported");
            return;
        }

        _cars[index] = car with { Pipeline = pipeline with { Status = e.Status, WebUrl = e.WebUrl ?? pipeline.WebUrl, UpdatedAt = _now } };
    }

    private void OnFailedJobsListed(FailedJobsListed e)
    {
        var index = FindCar(e.Iid);
        if (index < 0
            || _cars[index] is not { Stage: CarStage.ListingFailedJobs, Pipeline: { } pipeline } car
            || car.Generation != e.Generation
            || pipeline.Id != e.PipelineId)
        {
            Ignore("failed jobs of an outdated car pipeline");
            return;
        }

        var failedAgain = e.FailedJobs.Distinct(StringComparer.Ordinal).ToArray();
        if (car.RetriedJobs.Count == 0)
        {
            FailedForGood(index, DropReason.PipelineFailed, TrainNotes.Failed(pipeline.Id, failedAgain), failedAgain);
            return;
        }

        var passed = failedAgain.Length == 0 ? [] : car.RetriedJobs.Where(job => !failedAgain.Contains(job, StringComparer.Ordinal)).ToArray();
        if (failedAgain.Length > 0)
        {
            // When GitLab could not name the jobs, nothing is known about each: nothing is recorded.
            foreach (var job in car.RetriedJobs)
            {
                _jobRetries.Add(new JobRetryOutcome(_now, car.Iid, pipeline.Id, job, PassedOnRetry: !failedAgain.Contains(job, StringComparer.Ordinal)));
            }
        }

        FailedForGood(index, DropReason.PipelineFailed, TrainNotes.FailedAgain(pipeline.Id, failedAgain, passed), failedAgain);
    }

    /// <summary>Every retried job passed: they are flaky, the MR is not to blame, and it says so.</summary>
    private void PassedOnRetry(Car car)
    {
        var pipelineId = car.Pipeline!.Id;
        foreach (var job in car.RetriedJobs)
        {
            _jobRetries.Add(new JobRetryOutcome(_now, car.Iid, pipelineId, job, PassedOnRetry: true));
        }

        Audit(car.Iid, car.Status, car.Status, $"pipeline #{pipelineId} passed on retry; flaky jobs: {TrainNotes.JobList(car.RetriedJobs)}");
        Note(car.Iid, TrainNotes.PassedOnRetry(pipelineId, car.RetriedJobs));
    }
}
