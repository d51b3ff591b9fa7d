namespace MergeTrain.Core.Trains;

/// <summary>Merged results pipelines for MRs not on the train (SPEC section 4).</summary>
internal sealed partial class Transition
{
    private void UpdateMergedResult(MergeRequestSnapshot mr, string? oldRev)
    {
        if (mr.State != MergeRequestState.Opened)
        {
            if (!RemoveMergedResult(mr.Iid, $"the merge request is {mr.State.ToString().ToLowerInvariant()}"))
            {
                Ignore("not open");
            }

            return;
        }

        if (!_settings.MergedResultsPipelines || _targetHead is null)
        {
            Ignore("merged results pipelines are off, or the target branch is missing");
            return;
        }

        var index = FindMergedResult(mr.Iid);
        if (index >= 0 && MergedResults[index].HeadSha == mr.HeadSha && oldRev is null)
        {
            Ignore("the merged result is up to date");
            return;
        }

        var results = MutableMergedResults;
        string? autoMergeBy = null;
        if (index >= 0)
        {
            // A pending auto_merge carries over to the new head: it waits for the new pipeline.
            autoMergeBy = results[index].AutoMergeBy;
            ReleaseMergedResultPipeline(results[index], "the merge request has new commits");
            results.RemoveAt(index);
        }

        var generation = _nextGeneration++;
        var entry = new MergedResult
        {
            Iid = mr.Iid,
            Title = mr.Title,
            SourceBranch = mr.SourceBranch,
            HeadSha = mr.HeadSha,
            UpdatedAt = _now,
            Generation = generation,
            BaseSha = _targetHead,
            Building = true,
            PipelineWanted = true,
            AutoMergeBy = autoMergeBy,
        };
        results.Add(entry);
        Audit(mr.Iid, null, null, $"merged results pipeline requested for {Short(mr.HeadSha)} on {Short(_targetHead)}");
        EmitBuildMergedResult(entry);
    }

    /// <summary>The target moved: every merged result is rebuilt so conflicts show up, without new pipelines.</summary>
    private void RebuildMergedResults()
    {
        if (MergedResults.Count == 0 || _targetHead is null)
        {
            return;
        }

        var results = MutableMergedResults;
        for (var i = 0; i < results.Count; i++)
        {
            var entry = results[i] with { Generation = _nextGeneration++, BaseSha = _targetHead, CommitSha = null, Building = true, UpdatedAt = _now };
            results[i] = entry;
            EmitBuildMergedResult(entry);
        }
    }

    private void EmitBuildMergedResult(MergedResult entry) =>
        Emit(new BuildMergedResult(
            $"build-merged-result/{entry.Iid}/g{entry.Generation}",
            entry.Iid,
            entry.Generation,
            entry.BaseSha!,
            entry.HeadSha,
            TrainNotes.MergeMessage(entry.SourceBranch, _state.TargetBranch, entry.Title, _state.ProjectPath, entry.Iid),
            PublishedBranches.MergeRef(entry.Iid),
            PublishedBranches.MergedResultsBranch(entry.Iid)));

    private bool RemoveMergedResult(int iid, string reason)
    {
        var index = FindMergedResult(iid);
        if (index < 0)
        {
            return false;
        }

        var results = MutableMergedResults;
        ReleaseMergedResultPipeline(results[index], reason);
        results.RemoveAt(index);
        Emit(new DeleteBranch($"delete-branch/{iid}/s{_nextSequence++}", iid, PublishedBranches.MergedResultsBranch(iid)));
        Audit(iid, null, null, $"merged result removed: {reason}");
        return true;
    }

    private void ReleaseMergedResultPipeline(MergedResult entry, string reason)
    {
        if (entry.Pipeline is { } pipeline && !IsRetired(pipeline.Id))
        {
            if (!pipeline.Status.IsFinished())
            {
                Emit(new CancelPipeline($"cancel-pipeline/{pipeline.Id}", pipeline.Id, entry.Iid, reason));
            }

            Retire(pipeline.Id);
        }
    }

    private void OnMergedResultBuilt(MergedResultBuilt e)
    {
        var index = FindMergedResult(e.Iid);
        if (index < 0 || MergedResults[index] is not { Building: true } entry || entry.Generation != e.Generation)
        {
            Ignore("an outdated merged result");
            return;
        }

        entry = entry with { Building = false, CommitSha = e.CommitSha, ConflictPaths = [], UpdatedAt = _now };
        if (entry.PipelineWanted)
        {
            entry = entry with { PipelineWanted = false, PipelineRequestedGeneration = entry.Generation };
            Emit(new StartMergedResultPipeline(
                $"start-merged-result-pipeline/{entry.Iid}/g{entry.Generation}",
                entry.Iid,
                entry.Generation,
                PublishedBranches.MergedResultsBranch(entry.Iid),
                e.CommitSha));
        }

        MutableMergedResults[index] = entry;
        Audit(e.Iid, null, null, $"merged result built: {Short(e.CommitSha)}");
    }

    private void OnMergedResultConflicted(MergedResultConflicted e)
    {
        var index = FindMergedResult(e.Iid);
        if (index < 0 || MergedResults[index] is not { Building: true } entry || entry.Generation != e.Generation)
        {
            Ignore("an outdated merged result");
            return;
        }

        // Reported once per conflict, not again on every move of the target.
        if (entry.ConflictPaths.Count == 0)
        {
            Note(e.Iid, TrainNotes.MergedResultConflict(_state.TargetBranch, e.Paths, e.TotalPaths));
            Emit(new SetCommitStatus(
                $"commit-status/{e.Iid}/s{_nextSequence++}",
                e.Iid,
                entry.HeadSha,
                CommitState.Failed,
                null,
                $"merge conflicts with '{_state.TargetBranch}'"));
        }

        var paths = e.Paths.Count == 0 ? ["(unknown)"] : e.Paths.Take(TrainNotes.MaxConflictPathsShown).ToArray();
        MutableMergedResults[index] = entry with { Building = false, CommitSha = null, PipelineWanted = false, ConflictPaths = paths, UpdatedAt = _now };
        Audit(e.Iid, null, null, "merged result conflicts with the target branch");
    }

    private void OnMergedResultPipelineCreated(MergedResultPipelineCreated e)
    {
        var index = FindMergedResult(e.Iid);
        if (index >= 0)
        {
            var entry = MergedResults[index];
            if (entry.Pipeline?.Id == e.PipelineId)
            {
                Ignore("a duplicate pipeline creation");
                return;
            }

            if (entry.PipelineRequestedGeneration == e.Generation && entry.CommitSha is not null)
            {
                var pipeline = new PipelineSnapshot(e.PipelineId, entry.CommitSha, PublishedBranches.MergedResultsBranch(e.Iid), PipelineStatus.Created, e.WebUrl, _now, _now);
                MutableMergedResults[index] = entry with { Pipeline = pipeline, PipelineRequestedGeneration = null, UpdatedAt = _now };
                Audit(e.Iid, null, null, $"merged results pipeline #{e.PipelineId} created");
                Emit(new SetCommitStatus($"commit-status/{e.Iid}/s{_nextSequence++}", e.Iid, entry.HeadSha, CommitState.Running, e.WebUrl, "merged results pipeline"));
                return;
            }
        }

        CancelOrphanPipeline(e.PipelineId, e.Iid, "merged results pipeline of an outdated head");
    }

    private void OnMergedResultPipelineStatusChanged(PipelineStatusChanged e)
    {
        var index = -1;
        var results = MergedResults;
        for (var i = 0; i < results.Count; i++)
        {
            var entry = results[i];
            if (entry.Pipeline?.Id == e.PipelineId
                || (entry.Pipeline is null && entry.PipelineRequestedGeneration is not null && entry.CommitSha == e.Sha && e.Ref == PublishedBranches.MergedResultsBranch(entry.Iid)))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            Ignore("not a pipeline of this train");
            return;
        }

        var current = results[index];
        var pipeline = current.Pipeline ?? new PipelineSnapshot(e.PipelineId, e.Sha, e.Ref!, PipelineStatus.Created, e.WebUrl, _now, _now);
        if (pipeline.Status.IsFinished() || pipeline.Sha != e.Sha)
        {
            Ignore("a late or duplicate pipeline event");
            return;
        }

        pipeline = pipeline with { Status = e.Status, WebUrl = e.WebUrl ?? pipeline.WebUrl, UpdatedAt = _now };
        MutableMergedResults[index] = current with { Pipeline = pipeline, PipelineRequestedGeneration = null, UpdatedAt = _now };
        if (!e.Status.IsFinished())
        {
            return;
        }

        var state = e.Status switch
        {
            PipelineStatus.Success => CommitState.Success,
            PipelineStatus.Canceled => CommitState.Canceled,
            _ => CommitState.Failed,
        };
        Audit(current.Iid, null, null, $"merged results pipeline #{pipeline.Id} {e.Status.ToGitLabName()}");
        Emit(new SetCommitStatus($"commit-status/{current.Iid}/s{_nextSequence++}", current.Iid, current.HeadSha, state, pipeline.WebUrl, $"merged results pipeline {e.Status.ToGitLabName()}"));
        if (state != CommitState.Success)
        {
            Note(current.Iid, TrainNotes.MergedResultFailed(pipeline.Id, e.Status));
            if (current.AutoMergeBy is not null)
            {
                // As GitLab does: a failed pipeline cancels the automatic merge.
                MutableMergedResults[index] = MutableMergedResults[index] with { AutoMergeBy = null };
                Audit(current.Iid, null, null, "automatic addition to the merge train cancelled: the merged results pipeline did not pass");
            }
        }
        else if (current.AutoMergeBy is { } actor)
        {
            var mr = new MergeRequestSnapshot(current.Iid, current.Title, current.SourceBranch, _state.TargetBranch, current.HeadSha, Draft: false, MergeRequestState.Opened);
            if (CannotJoin(mr, null) is null)
            {
                Join(mr, actor);
            }
        }
    }

    private int FindMergedResult(int iid)
    {
        var results = MergedResults;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Iid == iid)
            {
                return i;
            }
        }

        return -1;
    }
}
