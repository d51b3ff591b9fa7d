namespace MergeTrain.Core.Trains;

/// <summary>
/// A failed batch is set aside (issue 13). When a batch's pipeline fails with cars behind it, every
/// commit behind holds the MR that fails; bisecting the batch in its place would keep those cars
/// waiting for the search. Instead the batch leaves the chain: the cars behind are rebuilt without it
/// at once and go on, and the batch waits at the end of the car list (<see cref="Car.SetAside"/>),
/// on the commits it already has, while probes search it. A probe is a pipeline of one of its cars;
/// it tests the batch up to that car on exactly those commits. The cars up to a probe that passed
/// are cleared and go back to the train, to be tested again on the chain as it now is; the first car
/// whose failure is left is the MR that fails, judged as its own (retried first) once the target
/// branch holds the commits its batch was built on. So one failure costs the cars behind one
/// rebuild, as GitLab's drop does, and nobody waits for the search but the batch itself.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>Where the chain ends: the cars from here on are set aside (they are always last).</summary>
    private int ChainEnd()
    {
        var end = _cars.Count;
        while (end > 0 && _cars[end - 1].SetAside is not null)
        {
            end--;
        }

        return end;
    }

    /// <summary>How many places in the window the pipelines of set-aside cars take: probes, and a retry of the MR found.</summary>
    private int SetAsidePlaces()
    {
        var places = 0;
        for (var i = ChainEnd(); i < _cars.Count; i++)
        {
            if (TakesPlace(_cars[i]) && IsRunning(_cars[i]))
            {
                places++;
            }
        }

        return places;
    }

    /// <summary>Whether the car's pipeline runs, or its failure is being retried, named or checked.</summary>
    private static bool IsRunning(Car car) =>
        car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase;

    /// <summary>
    /// Whether a failed batch is set aside rather than bisected in its place: cars follow it on the
    /// chain, and only a later green could have used them (<c>PendingFailureDepth</c> 0). A probe's
    /// half is searched where it is: it is part of a search already; so is a batch a car of which
    /// has started merging.
    /// </summary>
    private bool CanSetAside(int index)
    {
        if (_settings.PendingFailureDepth > 0
            || _cars[index] is not { SetAside: null, BisectionProbe: false }
            || index + 1 >= ChainEnd()
            || _cars[index + 1] is not { MergeImmediately: false, Stale: false })
        {
            return false;
        }

        for (var i = index - BatchAhead(index); i <= index; i++)
        {
            if (HasStartedMerging(_cars[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the failed batch ending at <paramref name="index"/> to the end of the car list, off the chain.</summary>
    private void SetAsideBatch(int index, DropReason reason, string detail)
    {
        var size = BatchAhead(index) + 1;
        var start = index - size + 1;
        var baseSha = _cars[start].BaseSha!;
        var aside = new SetAside(_nextGeneration++, baseSha, baseSha == _targetHead, baseSha);
        var failed = _cars[index];
        Update(
            index,
            failed with { Stage = CarStage.FailurePending, Bisecting = true, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
            "bisecting its batch");
        var members = _cars.GetRange(start, size);
        Audit(failed.Iid, failed.Status, failed.Status, $"{detail}; it tested a batch of {size} ({Iids(members)}): set aside while probes find the merge request that fails, so that the {Cars(ChainEnd() - index - 1)} behind it are rebuilt without it at once");
        _cars.RemoveRange(start, size);
        foreach (var member in members)
        {
            _cars.Add(member with { SetAside = aside, UpdatedAt = _now });
        }
    }

    /// <summary>A set-aside car's pipeline failed: its search judges it once the cars ahead of it are cleared and the commits ahead of its batch merged (<see cref="SettleSearch"/>).</summary>
    private void HoldSetAside(int index, DropReason reason, string detail)
    {
        var car = _cars[index];
        Update(
            index,
            car with { Stage = CarStage.FailurePending, Bisecting = true, BisectionProbe = false, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
            "failure held");
        Audit(car.Iid, car.Status, car.Status, $"{detail}; judged once the cars ahead of it in its batch are cleared and the commits ahead of the batch merged");
    }

    /// <summary>Takes every search one step on; true when cars went back to the train or probes started (the chain has to make room).</summary>
    private bool ReconcileSetAside()
    {
        var changed = false;
        var start = ChainEnd();
        while (start < _cars.Count)
        {
            var search = _cars[start].SetAside!.Search;
            var end = start;
            while (end < _cars.Count && _cars[end].SetAside!.Search == search)
            {
                end++;
            }

            if (SettleSearch(start, end))
            {
                changed = true;
                start = ChainEnd();
                continue;
            }

            start = end;
        }

        return changed;
    }

    /// <summary>One step of the search of the set-aside cars [<paramref name="start"/>, <paramref name="end"/>); true when something changed.</summary>
    private bool SettleSearch(int start, int end)
    {
        var first = _cars[start];
        var aside = first.SetAside!;
        var basis = BaseOf(aside);
        if (basis is null || first.BaseSha != aside.AheadSha)
        {
            // The chain ahead of the batch changed, or an MR ahead of these cars in it left: what they
            // were built on will never be merged, so nothing their pipelines say is known any more.
            PutBack(start, end - start, basis is null
                ? $"the commits its batch was built on ({Short(aside.BaseSha)}) will not reach '{_state.TargetBranch}': back on the train, untested"
                : "a merge request ahead of it in its batch left the train: back on the train, untested");
            return true;
        }

        if (basis == true && !aside.BaseMerged)
        {
            for (var i = start; i < end; i++)
            {
                _cars[i] = _cars[i] with { SetAside = _cars[i].SetAside! with { BaseMerged = true } };
            }
        }

        var passed = -1;
        for (var i = start; i < end; i++)
        {
            if (_cars[i].Stage == CarStage.PipelinePassed)
            {
                passed = i;
            }
        }

        if (passed >= 0)
        {
            var probe = _cars[passed];
            for (var i = passed + 1; i < end; i++)
            {
                _cars[i] = _cars[i] with { SetAside = _cars[i].SetAside! with { AheadSha = probe.CommitSha!, PassedAheadPipelineId = probe.Pipeline?.Id } };
            }

            PutBack(start, passed - start + 1, $"pipeline #{probe.Pipeline?.Id} of !{probe.Iid} passed on its batch up to !{probe.Iid}: cleared, back on the train");
            return true;
        }

        var failed = -1;
        for (var i = start; i < end && failed < 0; i++)
        {
            if (_cars[i].Bisecting)
            {
                failed = i;
            }
        }

        if (failed < 0)
        {
            if (IsRunning(first) && !first.BisectionProbe)
            {
                // The MR found is being retried: it is judged by the retry.
                return false;
            }

            // The failed car left the train: nothing is left to search for.
            PutBack(start, end - start, "no failure of its batch is left to explain: back on the train");
            return true;
        }

        if (failed == start)
        {
            if (basis != true)
            {
                return false;
            }

            var pipeline = first.Pipeline is { } own ? $"pipeline #{own.Id}" : "its pipeline";
            var proof = aside.PassedAheadPipelineId is { } cleared
                ? $"; {TrainNotes.FoundByBisection}: pipeline #{cleared} passed on exactly the commits ahead of it, so {pipeline} proves this merge request fails"
                : $"; {TrainNotes.FoundByBisection}: {pipeline} tested it on exactly the commits ahead of it, which '{_state.TargetBranch}' now holds";
            JudgeAsOwn(start, first.PendingFailure!.Detail + proof);
            return true;
        }

        for (var i = start; i < failed; i++)
        {
            if (IsRunning(_cars[i]))
            {
                return false;
            }
        }

        if (_paused)
        {
            return false;
        }

        // The failed car's place goes to a probe; more probe the halves in parallel where the window has room.
        var ahead = failed - start;
        var probes = Math.Clamp(Room - ChainPlaces() - SetAsidePlaces(), 1, ahead);
        for (var k = 1; k <= probes; k++)
        {
            var at = start - 1 + ((ahead + 1) * k / (probes + 1));
            Update(at, _cars[at] with { Stage = CarStage.ReadyForPipeline, BisectionProbe = true }, "set aside with its failed batch: its own pipeline tests the batch up to it");
            StartCarPipeline(at);
        }

        return true;
    }

    /// <summary>How many places the cars on the chain take that have started: built, or building, or with pipelines.</summary>
    private int ChainPlaces()
    {
        var places = 0;
        var end = ChainEnd();
        for (var i = 0; i < end; i++)
        {
            if (TakesPlace(_cars[i]) && _cars[i].Stage != CarStage.Waiting)
            {
                places++;
            }
        }

        return places;
    }

    /// <summary>
    /// Whether the commits a set-aside batch was built on are merged (true), may still be (false: the
    /// car that holds them is on the train with that commit), or never will be (null).
    /// </summary>
    private bool? BaseOf(SetAside aside)
    {
        if (aside.BaseMerged || aside.BaseSha == _targetHead || IsProduced(aside.BaseSha))
        {
            return true;
        }

        var end = ChainEnd();
        for (var i = 0; i < end; i++)
        {
            if (_cars[i].CommitSha == aside.BaseSha)
            {
                return false;
            }
        }

        return (_finished ?? _state.Finished).Any(car => car.Status == CarStatus.Merged && car.CommitSha == aside.BaseSha) ? true : null;
    }

    /// <summary>Puts set-aside cars back on the train, in order, at the end of the chain (a high-priority one where it goes): rebuilt and tested there.</summary>
    private void PutBack(int start, int count, string reason)
    {
        for (var k = 0; k < count; k++)
        {
            // Each car put back goes ahead of the set-aside ones: the next one is then at start + k.
            Invalidate(start + k, reason);
            var car = _cars[start + k] with { SetAside = null };
            _cars.RemoveAt(start + k);
            _cars.Insert(PlacementOf(car.Priority, ChainEnd()), car);
        }
    }

    /// <summary>The target moved outside the train: every set-aside car goes back, untested, as every car on the chain is rebuilt.</summary>
    private void PutBackAll(string reason)
    {
        var start = ChainEnd();
        PutBack(start, _cars.Count - start, reason);
    }

    private static string Iids(IEnumerable<Car> cars) => string.Join(", ", cars.Select(car => $"!{car.Iid}"));
}
