namespace MergeTrain.Core.Trains;

/// <summary>Merge request events: add, remove, and the MR hooks (SPEC section 3, "Add" and "MR changes").</summary>
internal sealed partial class Transition
{
    private void OnAdded(MergeRequestAdded e)
    {
        _actor = e.Actor;
        if (CanRaisePriority(e))
        {
            RaisePriority(FindCar(e.MergeRequest.Iid), e.Priority);
            return;
        }

        if (CannotJoin(e.MergeRequest, e.PinnedSha) is { } rejection)
        {
            if (e.NoteWhenRefused && FailedCheckOf(e.MergeRequest) is { } reason)
            {
                // A label or a comment gets no answer: the refusal, in GitLab's words, goes on the MR.
                Audit(e.MergeRequest.Iid, null, null, $"not added to the merge train: {reason}");
                Note(e.MergeRequest.Iid, TrainNotes.NotAdded(reason));
                return;
            }

            Reject(rejection.Kind, rejection.Message);
            return;
        }

        Join(e.MergeRequest, e.Actor, e.Priority, e.Squash);
    }

    private void OnAutoMergeRequested(AutoMergeRequested e)
    {
        _actor = e.Actor;
        var mr = e.MergeRequest;
        if (CannotJoin(mr, e.PinnedSha) is { } rejection)
        {
            Reject(rejection.Kind, rejection.Message);
            return;
        }

        var index = FindMergedResult(mr.Iid);
        var passed = index >= 0 && MergedResults[index] is { Pipeline.Status: PipelineStatus.Success } result && result.HeadSha == mr.HeadSha;
        if (!_settings.MergedResultsPipelines || passed)
        {
            // Nothing left to wait for.
            Join(mr, e.Actor);
            return;
        }

        if (index < 0 || MergedResults[index].HeadSha != mr.HeadSha)
        {
            UpdateMergedResult(mr, null);
            index = FindMergedResult(mr.Iid);
        }

        MutableMergedResults[index] = MergedResults[index] with { AutoMergeBy = e.Actor, UpdatedAt = _now };
        Audit(mr.Iid, null, null, $"set to join the merge train when its merged results pipeline succeeds, by {e.Actor}");
        Note(mr.Iid, TrainNotes.AutoMergeSet);
    }

    /// <summary>Why <paramref name="mr"/> cannot join the train now, or null when it can.</summary>
    private Rejection? CannotJoin(MergeRequestSnapshot mr, string? pinnedSha)
    {
        if (mr.TargetBranch != _state.TargetBranch)
        {
            return new Rejection(RejectionKind.BadRequest, $"Merge request targets '{mr.TargetBranch}', not '{_state.TargetBranch}'");
        }

        if (mr.State != MergeRequestState.Opened)
        {
            return new Rejection(RejectionKind.BadRequest, "Merge request is not open");
        }

        if (mr.Draft)
        {
            return new Rejection(RejectionKind.BadRequest, "Merge request is a draft");
        }

        if (mr.FailedCheck is { } check)
        {
            return new Rejection(RejectionKind.BadRequest, check.Reason);
        }

        if (_targetHead is null)
        {
            return new Rejection(RejectionKind.BadRequest, $"Target branch '{_state.TargetBranch}' does not exist");
        }

        if (FindCar(mr.Iid) >= 0)
        {
            return new Rejection(RejectionKind.Conflict, "Merge request is already on the merge train");
        }

        if (pinnedSha is not null && pinnedSha != mr.HeadSha)
        {
            return new Rejection(RejectionKind.Conflict, $"SHA does not match HEAD of source branch: {mr.HeadSha}");
        }

        return _state.Finished.Any(car => car.Iid == mr.Iid && car.Status is CarStatus.Merged or CarStatus.SkipMerged)
            ? new Rejection(RejectionKind.BadRequest, "Merge request is already merged")
            : null;
    }

    /// <summary>The reason a merge check keeps <paramref name="mr"/> off the train (draft included), or null.</summary>
    private static string? FailedCheckOf(MergeRequestSnapshot mr) =>
        mr.State != MergeRequestState.Opened ? null
        : mr.Draft ? "Can't merge because the merge request is a draft."
        : mr.FailedCheck?.Reason;

    /// <summary>
    /// Puts <paramref name="mr"/> at the end of the train, or, with high priority, where
    /// <see cref="PlacementOf"/> says (it can join: see <see cref="CannotJoin"/>). The cars behind
    /// that place get a new base, which <see cref="Reconcile"/> rebuilds them on; the cars ahead keep theirs.
    /// </summary>
    private void Join(MergeRequestSnapshot mr, string actor, CarPriority priority = CarPriority.Normal, bool? squash = null)
    {
        var first = _cars.Count == 0;
        var index = PlacementOf(priority, ChainEnd());
        var position = index + 1;
        _cars.Insert(index, new Car
        {
            Iid = mr.Iid,
            Title = mr.Title,
            SourceBranch = mr.SourceBranch,
            HeadSha = mr.HeadSha,
            AddedBy = actor,
            AddedAt = _now,
            UpdatedAt = _now,
            Priority = priority,
            Squash = squash,
        });
        var high = priority == CarPriority.High;
        Audit(mr.Iid, null, CarStatus.Idle, $"added to the merge train at position {position}{(high ? " with high priority" : "")}");
        RemoveMergedResult(mr.Iid, "the merge request joined the merge train");
        Note(mr.Iid, first ? TrainNotes.StartedTrain : high ? TrainNotes.AddedWithHighPriority(position) : TrainNotes.AddedAtPosition(position));
    }

    private void OnRemoved(MergeRequestRemoved e)
    {
        _actor = e.Actor;
        var index = FindCar(e.Iid);
        if (index >= 0)
        {
            Drop(index, DropReason.RemovedByUser, $"removed by {e.Actor}");
            return;
        }

        // Not on the train yet, but waiting to join it (auto_merge): that wait is what is cancelled.
        var waiting = FindMergedResult(e.Iid);
        if (waiting >= 0 && MergedResults[waiting].AutoMergeBy is not null)
        {
            MutableMergedResults[waiting] = MergedResults[waiting] with { AutoMergeBy = null, UpdatedAt = _now };
            Audit(e.Iid, null, null, $"automatic addition to the merge train cancelled by {e.Actor}");
            Note(e.Iid, TrainNotes.AutoMergeCancelled(e.Actor));
            return;
        }

        Reject(RejectionKind.NotFound, "Merge request is not on a merge train");
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
            else if (mr.HeadSha == car.RewrittenHeadSha)
            {
                // The train's own push of the car's rewritten commits (the hook may overtake the report).
                if (car.PublishingSource)
                {
                    SourceNowRewritten(index);
                }
                else
                {
                    Ignore("the train's own publication of the rewritten commits");
                    return;
                }
            }
            else if (mr.HeadSha != car.HeadSha)
            {
                // A hook's oldrev alone does not drop the car: a push hook processed after the car
                // was pinned on that very head (added right after the push) reports commits the
                // car already contains.
                Drop(index, DropReason.SourceUpdated, $"new head {Short(mr.HeadSha)}");
            }
            else if (mr.FailedCheck is { KeepsCarOnTrain: false } check)
            {
                Drop(index, DropReason.NotMergeable, check.Reason);
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
                CompleteFastForward(_targetHead, mergeCommitSha);
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
