namespace MergeTrain.Core.Trains;

/// <summary>Operator actions: pause, resume, merge immediately (SPEC section 3).</summary>
internal sealed partial class Transition
{
    private void OnPaused(TrainPaused e)
    {
        _actor = e.Actor;
        if (_paused)
        {
            Ignore("already paused");
            return;
        }

        _paused = true;
        Audit(null, null, null, "train paused: no new pipelines, no merges; running pipelines continue");
    }

    private void OnResumed(TrainResumed e)
    {
        _actor = e.Actor;
        if (!_paused)
        {
            Ignore("not paused");
            return;
        }

        _paused = false;
        Audit(null, null, null, "train resumed");
    }

    private void OnMergeImmediatelyRequested(MergeImmediatelyRequested e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index < 0)
        {
            Reject(RejectionKind.NotFound, "Merge request is not on a merge train");
            return;
        }

        var car = _cars[index];
        if (car.MergeImmediately)
        {
            Ignore("already being merged immediately");
            return;
        }

        if (e.KeepTrain && !_settings.SkipTrainAllowed)
        {
            Reject(RejectionKind.Forbidden, "Merging immediately without restarting the merge train is not allowed in this project (SkipTrainAllowed)");
            return;
        }

        if (car.PendingFastForwardSha is not null)
        {
            Reject(RejectionKind.Conflict, "Merge request is already being merged by the merge train");
            return;
        }

        Invalidate(index, "merge immediately requested");
        car = _cars[index] with { SetAside = null };
        _cars.RemoveAt(index);

        // Immediate merges go first, in the order they were asked for.
        var front = _cars.FindIndex(other => !other.MergeImmediately);
        front = front < 0 ? _cars.Count : front;
        _cars.Insert(front, car);
        Update(
            front,
            car with { MergeImmediately = true, MergeImmediatelyBy = e.Actor, MergeImmediatelyKeepsTrain = e.KeepTrain },
            e.KeepTrain ? $"merge immediately requested by {e.Actor}, keeping the train" : $"merge immediately requested by {e.Actor}");
        if (e.KeepTrain)
        {
            KeepPipelinesBehind(front);
        }
        else
        {
            InvalidateStale(0, "the train restarts for an immediate merge");
        }
    }

    private void OnMergedImmediately(MergedImmediately e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { Stage: CarStage.MergingImmediately } car || car.Generation != e.Generation)
        {
            Ignore("an outdated immediate merge result");
            return;
        }

        _actor = car.MergeImmediatelyBy ?? _actor;
        RememberProduced(e.CommitSha);
        if (_targetHead == car.BaseSha || _targetHead is null)
        {
            // Otherwise a later push was processed before this result: keep it.
            _targetHead = e.CommitSha;
        }

        MarkMerged(
            index,
            e.CommitSha,
            $"merged immediately by {_actor}",
            car.MergeImmediatelyKeepsTrain ? TrainNotes.MergedImmediatelyKeepingTrain(_actor) : TrainNotes.MergedImmediately(_actor));
    }

    private void OnMergeImmediatelyFailed(MergeImmediatelyFailed e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { Stage: CarStage.MergingImmediately } car || car.Generation != e.Generation)
        {
            Ignore("an outdated immediate merge result");
            return;
        }

        var conflict = e.ConflictPaths.Count > 0;
        var retry = !conflict && e.CurrentTargetSha is not null && car.PendingEnding is null;

        Update(
            index,
            car with { Stage = CarStage.Waiting, BaseSha = null, MergeImmediately = retry, PendingEnding = null },
            retry ? "immediate merge rejected: the target moved; retrying" : $"immediate merge failed: {e.Message}");
        if (car.PendingEnding is { } ending)
        {
            ApplyEnding(index, ending);
        }
        else if (conflict)
        {
            Drop(index, DropReason.MergeConflict, $"conflicts with {Short(car.BaseSha ?? "")}", e.ConflictPaths, e.TotalConflictPaths);
        }
        else if (!retry)
        {
            Drop(index, DropReason.Error, e.Message);
        }

        if (e.CurrentTargetSha is not null)
        {
            MoveTarget(e.CurrentTargetSha);
        }
    }
}
