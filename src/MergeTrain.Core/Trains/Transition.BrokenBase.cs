namespace MergeTrain.Core.Trains;

/// <summary>
/// The "base is broken" diagnosis (issue 12, <c>DiagnoseBrokenBase</c>): before a car whose pipeline
/// failed for good is blamed, its failed jobs are compared with those of the commit ahead of it. Only
/// the first car asks GitLab: its base is the target head, whose pipeline only GitLab knows. For any
/// other car the commit ahead is the car ahead's, whose pipeline the train holds: passed (the base is
/// sound), failed (the car ahead is to blame: <see cref="UnjudgedAhead"/>), or still running.
/// </summary>
internal sealed partial class Transition
{
    private bool ChecksBase(int index) => _settings.DiagnoseBrokenBase && index == 0 && _cars[index] is { SetAside: null } car && car.BaseSha == _targetHead;

    /// <summary>The car's pipeline failed for good: check the base, hold the failure for a later green, or drop it.</summary>
    private void FailedForGood(int index, DropReason reason, string detail, string[] failedJobs)
    {
        var car = _cars[index];
        if (failedJobs.Length > 0 && reason == DropReason.PipelineFailed && ChecksBase(index))
        {
            Update(
                index,
                car with { Stage = CarStage.CheckingBase, FailedJobs = failedJobs, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
                "checking the base");
            Audit(car.Iid, car.Status, car.Status, $"{detail}; comparing with the failed jobs of the commit ahead ({Short(car.BaseSha!)})");
            Emit(new ListBaseFailedJobs($"list-base-failed-jobs/{car.Iid}/g{car.Generation}/a{car.Attempt}", car.Iid, car.Generation, car.BaseSha!));
            return;
        }

        HoldFailure(index, reason, detail);
    }

    private void OnBaseJobsListed(BaseJobsListed e)
    {
        var index = FindCar(e.Iid);
        if (index < 0
            || _cars[index] is not { Stage: CarStage.CheckingBase, PendingFailure: { } failure, Pipeline: { } pipeline } car
            || car.Generation != e.Generation
            || car.BaseSha != e.BaseSha)
        {
            Ignore("failed jobs of the base of an outdated car commit");
            return;
        }

        if (e.PipelineId is { } basePipeline && car.FailedJobs.All(job => e.FailedJobs.Contains(job, StringComparer.Ordinal)))
        {
            BaseBroken(index, pipeline.Id, basePipeline);
            return;
        }

        Audit(car.Iid, car.Status, car.Status, e.PipelineId is { } passed
            ? $"pipeline #{passed} of the commit ahead did not fail the same jobs: the failure is the merge request's"
            : "the commit ahead has no finished pipeline: nothing is known about the base");
        HoldFailure(index, failure.Reason ?? DropReason.PipelineFailed, failure.Detail);
    }

    /// <summary>
    /// The same jobs fail on the target head: nobody on the train is to blame. Every car keeps its
    /// place and commit; the pipelines that have not passed are given up (they ran on the broken base
    /// too) and start again when an operator resumes the train. A push that fixes the target rebuilds
    /// the cars as usual.
    /// </summary>
    private void BaseBroken(int index, long pipelineId, long basePipelineId)
    {
        var car = _cars[index];
        Note(car.Iid, TrainNotes.BaseBroken(pipelineId, car.FailedJobs, car.BaseSha!, basePipelineId, _state.TargetBranch));
        Audit(car.Iid, car.Status, car.Status, $"the same jobs ({TrainNotes.JobList(car.FailedJobs)}) fail on pipeline #{basePipelineId} of the commit ahead: the base is broken, the merge request is not blamed");
        for (var i = index; i < ChainEnd(); i++)
        {
            var other = _cars[i];
            if (other.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending)
            {
                ReleasePipeline(other, "the base is broken");
                Update(
                    i,
                    other with { Stage = CarStage.ReadyForPipeline, Pipeline = null, PipelineRequestedAt = null, Attempt = 0, RetriedJobs = [], FailedJobs = [], PendingFailure = null, FailureHeld = false, BisectionProbe = false, Bisecting = false },
                    "the base is broken: the pipeline starts again when the train is resumed");
            }
        }

        if (!_paused)
        {
            _paused = true;
            Audit(null, null, null, $"train paused: '{_state.TargetBranch}' is broken (pipeline #{basePipelineId} fails the same jobs); resume once it is fixed");
        }
    }
}
