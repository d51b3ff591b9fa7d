namespace MergeTrain.Core.Trains;

/// <summary>Results of car effects: builds, publications, pipelines, fast-forwards, timeouts (SPEC section 3).</summary>
internal sealed partial class Transition
{
    private void OnTargetMoved(TargetBranchMoved e)
    {
        _actor = e.Actor;
        if (e.NewSha is null)
        {
            if (_targetHead is null)
            {
                Ignore("the target branch is already missing");
                return;
            }

            _targetHead = null;
            Audit(null, null, null, $"'{_state.TargetBranch}' was deleted");
            for (var i = _cars.Count - 1; i >= 0; i--)
            {
                Drop(i, DropReason.TargetMissing, $"'{_state.TargetBranch}' was deleted");
            }

            return;
        }

        if (e.NewSha == _targetHead)
        {
            Ignore("the target head is already known");
            return;
        }

        var merging = _cars.FindIndex(car => car.PendingFastForwardSha == e.NewSha);
        if (merging >= 0)
        {
            // The push hook of the train's own fast-forward overtook the executor's report.
            CompleteFastForward(_targetHead, e.NewSha);
            return;
        }

        if (IsProduced(e.NewSha))
        {
            Ignore("a push the train made itself");
            return;
        }

        MoveTargetOutside(e.NewSha);
    }

    private void OnCarBuilt(CarBuilt e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { Stage: CarStage.Building } car || car.Generation != e.Generation || car.BaseSha != e.BaseSha)
        {
            Ignore("a build result for an outdated car commit");
            return;
        }

        Update(index, car with { Stage = CarStage.Publishing, CommitSha = e.CommitSha, RewrittenHeadSha = e.RewrittenHeadSha }, "car commit built");
        Emit(new PublishCar($"publish-car/{car.Iid}/g{car.Generation}", car.Iid, car.Generation, e.CommitSha, CarBranch(car.Iid)));
    }

    private void OnCarConflicted(CarConflicted e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { Stage: CarStage.Building } car || car.Generation != e.Generation || car.BaseSha != e.BaseSha)
        {
            Ignore("a build result for an outdated car commit");
            return;
        }

        Drop(index, DropReason.MergeConflict, $"conflicts with {Short(e.BaseSha)}", e.Paths, e.TotalPaths);
    }

    private void OnCarPublished(CarPublished e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { Stage: CarStage.Publishing } car || car.Generation != e.Generation || car.CommitSha != e.CommitSha)
        {
            Ignore("a publication of an outdated car commit");
            return;
        }

        Update(index, car with { Stage = CarStage.ReadyForPipeline }, "car commit published");
    }

    private void OnCarEffectFailed(CarEffectFailed e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index].Generation != e.Generation || _cars[index].Stage == CarStage.Waiting)
        {
            Ignore("a failure of an outdated car commit");
            return;
        }

        Drop(index, DropReason.Error, e.Message);
    }

    private void OnPipelineCreated(PipelineCreated e)
    {
        var index = FindCar(e.Iid);
        if (index >= 0)
        {
            var car = _cars[index];
            if (car.Pipeline?.Id == e.PipelineId)
            {
                Ignore("a duplicate pipeline creation");
                return;
            }

            if (car.Stage == CarStage.StartingPipeline && car.Generation == e.Generation && car.Attempt == e.Attempt)
            {
                var pipeline = new PipelineSnapshot(e.PipelineId, car.CommitSha!, CarBranch(car.Iid), PipelineStatus.Created, e.WebUrl, _now, _now);
                Update(index, car with { Stage = CarStage.PipelineRunning, Pipeline = pipeline }, $"pipeline #{e.PipelineId} created");
                Emit(new SetCommitStatus(
                    $"commit-status/{car.Iid}/s{_nextSequence++}",
                    car.Iid,
                    car.HeadSha,
                    CommitState.Running,
                    e.WebUrl,
                    $"merge train pipeline at position {index + 1}"));
                for (var ahead = index - BatchAhead(index); ahead < index; ahead++)
                {
                    Emit(new SetCommitStatus(
                        $"commit-status/{_cars[ahead].Iid}/s{_nextSequence++}",
                        _cars[ahead].Iid,
                        _cars[ahead].HeadSha,
                        CommitState.Running,
                        e.WebUrl,
                        $"merge train pipeline of !{car.Iid}, in a batch, at position {ahead + 1}"));
                }

                return;
            }
        }

        // Created for a car commit that is gone: nobody will look at it.
        CancelOrphanPipeline(e.PipelineId, e.Iid, "pipeline of an outdated car commit");
    }

    private void OnPipelineStatusChanged(PipelineStatusChanged e)
    {
        if (IsRetired(e.PipelineId))
        {
            Ignore("a pipeline the train is done with");
            return;
        }

        var index = _cars.FindIndex(car => car.Pipeline?.Id == e.PipelineId);
        if (index >= 0)
        {
            var car = _cars[index];
            if (car.CommitSha == e.Sha && car.Stage == CarStage.RetryingPipeline)
            {
                ObserveRetry(index, e);
                return;
            }

            if (car.CommitSha != e.Sha || car.Stage != CarStage.PipelineRunning)
            {
                Ignore("a late or duplicate pipeline event");
                return;
            }

            ApplyCarPipelineStatus(index, e);
            return;
        }

        // The hook can overtake the executor's report of the pipeline it created: match by ref and sha.
        index = _cars.FindIndex(car => car.Stage == CarStage.StartingPipeline && car.CommitSha == e.Sha && CarBranch(car.Iid) == e.Ref);
        if (index >= 0)
        {
            var car = _cars[index];
            var pipeline = new PipelineSnapshot(e.PipelineId, e.Sha, e.Ref!, PipelineStatus.Created, e.WebUrl, _now, _now);
            Update(index, car with { Stage = CarStage.PipelineRunning, Pipeline = pipeline }, $"pipeline #{e.PipelineId} created");
            ApplyCarPipelineStatus(index, e);
            return;
        }

        OnMergedResultPipelineStatusChanged(e);
    }

    private void ApplyCarPipelineStatus(int index, PipelineStatusChanged e)
    {
        var car = _cars[index];
        var pipeline = car.Pipeline! with { Status = e.Status, WebUrl = e.WebUrl ?? car.Pipeline.WebUrl, UpdatedAt = _now };
        car = car with { Pipeline = pipeline, UpdatedAt = _now };
        _cars[index] = car;
        switch (e.Status)
        {
            case PipelineStatus.Success:
                _cars[index] = car with { Stage = CarStage.PipelinePassed };
                Audit(car.Iid, car.Status, car.Status, $"pipeline #{pipeline.Id} passed" + (car.SetAside is not null ? "; clears its batch up to it" : index == 0 ? "" : $"; waits to be first (position {index + 1})"));
                if (car.RetriedJobs.Count > 0)
                {
                    PassedOnRetry(car);
                }

                break;
            case PipelineStatus.Failed or PipelineStatus.Canceled:
                // GitLab's retry starts new jobs for failed and cancelled ones.
                FailCarPipeline(index, DropReason.PipelineFailed, $"pipeline #{pipeline.Id} {e.Status.ToGitLabName()}", retryJobs: true);
                break;
            case PipelineStatus.Skipped:
                FailCarPipeline(index, DropReason.PipelineFailed, $"pipeline #{pipeline.Id} {e.Status.ToGitLabName()}");
                break;
        }
    }

    private void OnFastForwardSucceeded(FastForwardSucceeded e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index].PendingFastForwardSha != e.ToSha)
        {
            Ignore("a duplicate or unknown fast-forward");
            return;
        }

        CompleteFastForward(e.FromSha, e.ToSha);
    }

    /// <summary>
    /// The target now holds the car's tested commit: the car is merged, whatever happened meanwhile,
    /// and so is every car a later green absolved with it (they wait for the same commit).
    /// </summary>
    private void CompleteFastForward(string? fromSha, string toSha)
    {
        RememberProduced(toSha);
        if (_targetHead == fromSha || _targetHead is null)
        {
            _targetHead = toSha;
        }

        // Otherwise a push outside the train, made after this fast-forward, was processed first: keep it.
        var tested = _cars.FindLast(car => car.PendingFastForwardSha == toSha)!;
        var together = _cars.Count(car => car.PendingFastForwardSha == toSha && (car.Stage == CarStage.Batched || car.BisectionProbe || car.Iid == tested.Iid));
        for (var index = _cars.FindIndex(car => car.PendingFastForwardSha == toSha); index >= 0; index = _cars.FindIndex(car => car.PendingFastForwardSha == toSha))
        {
            var car = _cars[index];
            if (car.Iid == tested.Iid)
            {
                MarkMerged(index, toSha, "merged by the merge train", TrainNotes.MergedByTrain(car.PendingFastForwardPipelineId, together));
            }
            else if (car.Stage == CarStage.Batched || car.BisectionProbe)
            {
                MarkMerged(index, toSha, $"merged by the merge train in a batch: pipeline #{car.PendingFastForwardPipelineId} of !{tested.Iid}", TrainNotes.MergedInBatch(tested.Iid, car.PendingFastForwardPipelineId, together));
            }
            else
            {
                MarkMerged(index, toSha, $"merged by the merge train: absolved by pipeline #{car.PendingFastForwardPipelineId} of !{tested.Iid}", TrainNotes.Absolved(car.Pipeline?.Id, tested.Iid, car.PendingFastForwardPipelineId));
            }
        }
    }

    private void OnFastForwardRejected(FastForwardRejected e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index].PendingFastForwardSha != e.ToSha)
        {
            Ignore("a duplicate or unknown fast-forward");
            return;
        }

        if (e.CurrentTargetSha == e.ToSha)
        {
            CompleteFastForward(_targetHead, e.ToSha);
            return;
        }

        // Every car waiting for this commit (those a later green absolved with it) goes back, back to front:
        // an ending that arrived meanwhile removes its car.
        for (var i = _cars.Count - 1; i >= 0; i--)
        {
            var car = _cars[i];
            if (car.PendingFastForwardSha != e.ToSha)
            {
                continue;
            }

            Update(i, car with { PendingFastForwardSha = null, PendingFastForwardPipelineId = null }, "fast-forward rejected: the target branch moved");
            if (car.PendingEnding is { } ending)
            {
                ApplyEnding(i, ending);
            }
        }

        if (e.CurrentTargetSha is not null)
        {
            MoveTarget(e.CurrentTargetSha);
        }
    }

    private void OnTimerTicked()
    {
        for (var i = _cars.Count - 1; i >= 0; i--)
        {
            var car = _cars[i];
            if (car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning
                && car.PipelineRequestedAt is { } requested
                && _now - requested >= _settings.PipelineTimeout)
            {
                var detail = $"{(car.Pipeline is { } pipeline ? $"pipeline #{pipeline.Id}" : "the pipeline")} ran longer than {_settings.PipelineTimeout}";
                ReleasePipeline(car, detail);
                FailCarPipeline(i, DropReason.PipelineTimeout, detail);
            }
        }

        if (_audit.Count == 0)
        {
            Ignore("no pipeline timed out");
        }
    }
}
