namespace MergeTrain.Core.Trains;

/// <summary>Merge request events: add, remove, and the MR hooks (SPEC section 3, "Add" and "MR changes").</summary>
internal sealed partial class Transition
{
    private void OnAdded(MergeRequestAdded e)
    {
        _actor = e.Actor;
        var mr = e.MergeRequest;
        if (mr.TargetBranch != _state.TargetBranch)
        {
            Reject(RejectionKind.BadRequest, $"Merge request targets '{mr.TargetBranch}', not '{_state.TargetBranch}'");
        }
        else if (mr.State != MergeRequestState.Opened)
        {
            Reject(RejectionKind.BadRequest, "Merge request is not open");
        }
        else if (mr.Draft)
        {
            Reject(RejectionKind.BadRequest, "Merge request is a draft");
        }
        else if (_targetHead is null)
        {
            Reject(RejectionKind.BadRequest, $"Target branch '{_state.TargetBranch}' does not exist");
        }
        else if (FindCar(mr.Iid) >= 0)
        {
            Reject(RejectionKind.Conflict, "Merge request is already on the merge train");
        }
        else if (e.PinnedSha is not null && e.PinnedSha != mr.HeadSha)
        {
            Reject(RejectionKind.Conflict, $"SHA does not match HEAD of source branch: {mr.HeadSha}");
        }
        else if (_state.Finished.Any(car => car.Iid == mr.Iid && car.Status is CarStatus.Merged or CarStatus.SkipMerged))
        {
            Reject(RejectionKind.BadRequest, "Merge request is already merged");
        }
        else
        {
            var position = _cars.Count + 1;
            _cars.Add(new Car
            {
                Iid = mr.Iid,
                Title = mr.Title,
                SourceBranch = mr.SourceBranch,
                HeadSha = mr.HeadSha,
                AddedBy = e.Actor,
                AddedAt = _now,
                UpdatedAt = _now,
            });
            Audit(mr.Iid, null, CarStatus.Idle, $"added to the merge train at position {position}");
            RemoveMergedResult(mr.Iid, "the merge request joined the merge train");
            Note(mr.Iid, position == 1 ? TrainNotes.StartedTrain : TrainNotes.AddedAtPosition(position));
        }
    }

    private void OnRemoved(MergeRequestRemoved e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index < 0)
        {
            Reject(RejectionKind.NotFound, "Merge request is not on a merge train");
            return;
        }

        Drop(index, DropReason.RemovedByUser, $"removed by {e.Actor}");
    }

    private void OnUpdated(MergeRequestUpdated e)
    {
        _actor = e.Actor;
        var mr = e.MergeRequest;
        var index = FindCar(mr.Iid);
        if (mr.TargetBranch != _state.TargetBranch)
        {
            // Retargeted: it no longer belongs to this train at all.
            if (index >= 0)
            {
                Drop(index, DropReason.Error, $"the target branch was changed to '{mr.TargetBranch}'");
            }

            RemoveMergedResult(mr.Iid, "the merge request was retargeted");
            return;
        }

        if (index >= 0)
        {
            var car = _cars[index];
            if (mr.State == MergeRequestState.Merged)
            {
                OnMergedCar(index, null);
            }
            else if (mr.State == MergeRequestState.Closed)
            {
                Drop(index, DropReason.Closed, $"closed by {e.Actor}");
            }
            else if (mr.Draft)
            {
                Drop(index, DropReason.Draft, $"marked as draft by {e.Actor}");
            }
            else if (mr.HeadSha != car.HeadSha)
            {
                // A hook's oldrev alone does not drop the car: a push hook processed after the car
                // was pinned on that very head (added right after the push) reports commits the
                // car already contains.
                Drop(index, DropReason.SourceUpdated, $"new head {Short(mr.HeadSha)}");
            }
            else
            {
                Ignore("no change that concerns the train");
                return;
            }

            if (FindCar(mr.Iid) >= 0)
            {
                return;
            }
        }

        UpdateMergedResult(mr, e.OldRev);
    }

    private void OnClosed(MergeRequestClosed e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index >= 0)
        {
            Drop(index, DropReason.Closed, $"closed by {e.Actor}");
        }
        else if (!RemoveMergedResult(e.Iid, "the merge request was closed"))
        {
            Ignore("not on the train");
        }
    }

    private void OnDrafted(MergeRequestDrafted e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index >= 0)
        {
            Drop(index, DropReason.Draft, $"marked as draft by {e.Actor}");
        }
        else
        {
            Ignore("not on the train");
        }
    }

    private void OnMerged(MergeRequestMerged e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index >= 0)
        {
            OnMergedCar(index, e.MergeCommitSha);
            return;
        }

        RemoveMergedResult(e.Iid, "the merge request was merged");
        if (e.MergeCommitSha is not null && _state.Finished.All(car => car.MergedSha != e.MergeCommitSha))
        {
            MoveTargetOutside(e.MergeCommitSha);
        }
        else
        {
            Ignore("merged by the train, or not on it");
        }
    }

    /// <summary>
    /// GitLab says the car's MR is merged. While the train's own merge of it is in flight this is most
    /// likely GitLab noticing that merge; the car ends when the merge's result arrives.
    /// </summary>
    private void OnMergedCar(int index, string? mergeCommitSha)
    {
        var car = _cars[index];
        if (car.PendingFastForwardSha is not null || car.Stage == CarStage.MergingImmediately)
        {
            if (mergeCommitSha is not null && mergeCommitSha == car.PendingFastForwardSha)
            {
                CompleteFastForward(index, _targetHead, mergeCommitSha);
                return;
            }

            if (car.PendingEnding?.Status != CarStatus.SkipMerged)
            {
                _cars[index] = car with { PendingEnding = new CarEnding(CarStatus.SkipMerged, null, _actor, "merged outside the merge train"), UpdatedAt = _now };
                Audit(car.Iid, car.Status, car.Status, "GitLab reports it merged while the train merges it");
            }

            return;
        }

        SkipMerged(index, mergeCommitSha);
    }
}
