namespace MergeTrain.Core.Trains;

/// <summary>
/// A later green absolves (issue 12, <c>PendingFailureDepth</c>): a car whose pipeline failed for good
/// keeps its place while up to that many cars behind it report. Their commits contain its changes, so
/// when one of them passes, that commit is exactly a tested commit holding every car up to it: the
/// target is fast-forwarded to it and they all merge. The promise that the target only ever holds
/// tested commits is kept: nothing reaches it that did not pass as it is.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>
    /// Bisects the batch the car tested; or, for a failure that is the car's own, holds it for a later
    /// green where that is on, and drops the car otherwise.
    /// </summary>
    private void HoldFailure(int index, DropReason reason, string detail)
    {
        var car = _cars[index];
        if (IsUnattributed(index))
        {
            // It tested a batch, or half of one: which MR fails is not known yet.
            StartBisection(index, reason, detail);
            return;
        }

        if (_settings.PendingFailureDepth == 0 || car.Stale)
        {
            // A kept car's commit can never reach the target, so no later green can absolve it.
            Drop(index, reason, detail);
            return;
        }

        Update(
            index,
            car with { Stage = CarStage.FailurePending, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
            "failure pending");
        Audit(car.Iid, car.Status, car.Status, $"{detail}; kept while up to {_settings.PendingFailureDepth} car(s) behind it report (a later green absolves)");
    }

    /// <summary>
    /// The nearest car ahead that explains a failure behind it until it is judged: one whose pipeline
    /// failed and is being retried, named, checked or held. GitLab would blame the car behind, though
    /// its commit contains the failing one. (Holding also failures behind a car still running, before
    /// it failed, spared more good MRs in the simulator but delayed every real eviction so much that
    /// a train near its capacity fell behind: see the README's simulator section.)
    /// </summary>
    private Car? UnjudgedAhead(int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (IsBeingJudged(_cars[i]))
            {
                return _cars[i];
            }
        }

        return null;
    }

    /// <summary>Holds a failure that a car ahead explains: judged as the car's own once the cars ahead are (<see cref="SettlePendingFailures"/>).</summary>
    private void HoldBehind(int index, DropReason reason, string detail, Car ahead)
    {
        var car = _cars[index];
        Update(
            index,
            car with { Stage = CarStage.FailurePending, FailureHeld = true, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
            "failure held");
        Audit(car.Iid, car.Status, car.Status, $"{detail} behind !{ahead.Iid}, whose pipeline {(ahead.Stage == CarStage.PipelinePassed ? "passed" : ahead.Stage is CarStage.PipelineRunning or CarStage.StartingPipeline ? "has not finished" : "failed")}: judged once the cars ahead are");
    }

    /// <summary>
    /// Settles the first pending failure that can be settled, once no car ahead of it is still to be
    /// judged: a held failure becomes the car's own (retried, checked, pending or dropped as any
    /// failure), and a pending one is dropped when its depth of cars behind failed too, or none is
    /// left that could report (the end of the train, or beyond <c>MaxParallelPipelines</c>). Stops
    /// there (true): after a drop the cars behind are rebuilt, and what they reported said nothing
    /// about them.
    /// </summary>
    private bool SettlePendingFailures()
    {
        // Set-aside cars are judged by their search (SettleSearch). Anything that changes the cars returns.
        var chainEnd = ChainEnd();
        for (var i = 0; i < chainEnd; i++)
        {
            var car = _cars[i];
            if (car is not { Stage: CarStage.FailurePending, PendingFastForwardSha: null, PendingFailure: { } failure } || UnjudgedAhead(i) is not null)
            {
                continue;
            }

            if (car.Bisecting)
            {
                if (SettleBisection(i))
                {
                    return true;
                }

                continue;
            }

            if (car.FailureHeld)
            {
                Audit(car.Iid, car.Status, car.Status, "the cars ahead passed: the failure is its own");
                JudgeAsOwn(i, failure.Detail);
                return true;
            }

            if (Verdict(i) is { } verdict)
            {
                Drop(i, failure.Reason ?? DropReason.PipelineFailed, failure.Detail + verdict);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A failure that was held (behind a car ahead, or while its batch was bisected) is now the car's
    /// own: it is judged as any failure, retried first where retries are on.
    /// </summary>
    private void JudgeAsOwn(int index, string detail)
    {
        var car = _cars[index];
        var reason = car.PendingFailure?.Reason ?? DropReason.PipelineFailed;
        _cars[index] = car with { Stage = CarStage.PipelineRunning, FailureHeld = false, Bisecting = false, BisectionProbe = false, PendingFailure = null, UpdatedAt = _now };
        FailCarPipeline(index, reason, detail, retryJobs: car.Pipeline?.Status is PipelineStatus.Failed or PipelineStatus.Canceled, judged: true);
    }

    /// <summary>Why a pending failure is settled against the car, or null while a later green may still absolve it.</summary>
    private string? Verdict(int index)
    {
        if (_cars[index].Stale)
        {
            // Kept through an immediate merge: no commit behind it can reach the target.
            return "; no car behind it could absolve it";
        }

        var depth = _settings.PendingFailureDepth;
        var chainEnd = ChainEnd();
        var failed = 0;
        var units = PlacesAhead(index + 1);
        for (var j = index + 1; ; j++)
        {
            if (j > index + 1 && TakesPlace(_cars[j - 1]))
            {
                units++;
            }

            if (j < chainEnd && _cars[j].Stage == CarStage.Batched)
            {
                // It reports through the pipeline that ends its batch.
                continue;
            }

            if (failed >= depth)
            {
                return failed == 0 ? "" : $"; the {Cars(failed)} behind it failed too";
            }

            if (j >= chainEnd || units >= Room || _cars[j].Stale)
            {
                return failed == 0 ? "; no car behind it could absolve it" : $"; the {Cars(failed)} behind it failed too, and no other could absolve it";
            }

            if (_cars[j].Stage != CarStage.FailurePending)
            {
                // Passed: absolved once it is first; anything else will still report.
                return null;
            }

            failed++;
        }
    }

    /// <summary>
    /// The first cars wait for a later commit: their failure is pending, or they are batched. Once the
    /// first car behind them passed, the target is fast-forwarded to that car's commit, for all of
    /// them at once: it is exactly a tested commit, and contains their changes.
    /// </summary>
    private void AbsolveAtTheFront()
    {
        var chainEnd = ChainEnd();
        if (_paused || _targetHead is null || chainEnd == 0 || _cars[0] is not { PendingFastForwardSha: null } first || !WaitsForLaterCommit(first) || first.BaseSha != _targetHead)
        {
            return;
        }

        var last = 1;
        while (last < chainEnd && WaitsForLaterCommit(_cars[last]))
        {
            last++;
        }

        if (last >= chainEnd || _cars[last] is not { Stage: CarStage.PipelinePassed, PendingFastForwardSha: null, MergeImmediately: false, CommitSha: { } tested } passed || !SourcesReady(0, last))
        {
            return;
        }

        for (var i = 0; i <= last; i++)
        {
            var car = _cars[i];
            Update(
                i,
                car with { PendingFastForwardSha = tested, PendingFastForwardPipelineId = passed.Pipeline?.Id },
                i == last
                    ? $"pipeline #{passed.Pipeline?.Id} passed; fast-forwarding '{_state.TargetBranch}' for the {Cars(last)} ahead too"
                    : car.Stage == CarStage.Batched || car.BisectionProbe
                        ? $"in the batch that pipeline #{passed.Pipeline?.Id} of !{passed.Iid} passed; fast-forwarding '{_state.TargetBranch}'"
                        : $"pipeline #{car.Pipeline?.Id} failed, but pipeline #{passed.Pipeline?.Id} of !{passed.Iid}, which contains its changes, passed; fast-forwarding '{_state.TargetBranch}'");
        }

        Emit(new FastForwardTarget($"fast-forward/{passed.Iid}/g{passed.Generation}/s{_nextSequence++}", passed.Iid, _state.TargetBranch, _targetHead, tested));
    }

    /// <summary>
    /// Whether a car at the front may merge with a later car that passed: its failure is pending, it
    /// is batched, or it is a probe still running, whose answer the later pass makes moot.
    /// </summary>
    private static bool WaitsForLaterCommit(Car car) =>
        car.Stage is CarStage.FailurePending or CarStage.Batched
        || car is { BisectionProbe: true, Stage: CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.RetryingPipeline };

    private static string Cars(int count) => count == 1 ? "car" : $"{count} cars";
}
