namespace MergeTrain.Core.Trains;

/// <summary>
/// Batches with bisection (issue 13, <see cref="TrainSettings.BatchSize"/>). Every MR keeps its own car
/// and commit, chained as always, so a batch is only a run of <see cref="CarStage.Batched"/> cars
/// ended by a car that runs the pipeline: its commit contains them all. When it passes, the target
/// moves to exactly that commit and the whole run merges (<see cref="AbsolveAtTheFront"/>). When it
/// fails, the car halfway along is given a pipeline of its own (a probe), in the failed car's place
/// in the window: it tests the first half on exactly the commits ahead of it. A passing probe clears
/// the first half and the search goes on in the second; a failing one is bisected in turn. Each round
/// at least halves the run, so the MR that fails is found in ⌈log2 n⌉ rounds, and only it is
/// dropped; where the window has room, more probes run at once and fewer rounds are needed. Nothing
/// is rebuilt to bisect: every car's commit is already the chain's.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>
    /// Whether a car takes a place in the window (and counts against <c>MaxParallelPipelines</c>):
    /// batched cars share their pipeline's, and a bisecting car, whose pipeline is done, hands its
    /// place to the probe that runs in its stead.
    /// </summary>
    private static bool TakesPlace(Car car) => car.Stage != CarStage.Batched && !car.Bisecting;

    /// <summary>A car that runs nothing and waits for a pipeline ahead of it: batched, or bisecting.</summary>
    private static bool RunsNothing(Car car) => car.Stage == CarStage.Batched || car.Bisecting;

    /// <summary>How many places in the window the cars ahead of <paramref name="index"/> take.</summary>
    private int PlacesAhead(int index)
    {
        var places = 0;
        for (var i = 0; i < index; i++)
        {
            if (TakesPlace(_cars[i]))
            {
                places++;
            }
        }

        return places;
    }

    /// <summary>How many MRs a batch takes now: enough for the pipelines the train may run to cover every car, within the configured sizes.</summary>
    private int BatchTarget()
    {
        if (_settings.BatchSize == 1)
        {
            return 1;
        }

        var covering = (ChainEnd() + Room - 1) / Room;
        return Math.Clamp(covering, _settings.MinBatchSize, _settings.BatchSize);
    }

    /// <summary>How many batched cars are right ahead of the car: the rest of its batch.</summary>
    private int BatchAhead(int index)
    {
        var count = 0;
        while (index - count - 1 >= 0 && _cars[index - count - 1].Stage == CarStage.Batched && _cars[index - count - 1].SetAside?.Search == _cars[index].SetAside?.Search)
        {
            count++;
        }

        return count;
    }

    /// <summary>The MRs a car's pipeline tests beyond the commits ahead of its batch: the batch, in order.</summary>
    private IEnumerable<int> BatchIids(int index)
    {
        for (var i = index - BatchAhead(index); i <= index; i++)
        {
            yield return _cars[i].Iid;
        }
    }

    /// <summary>Whether a car that is ready for its pipeline leaves it to a car behind it, as one more of that car's batch.</summary>
    private bool JoinsBatch(int index)
    {
        var car = _cars[index];

        // A retry, or a probe, tests this very commit. Cars behind may have been batched first (a
        // paused train starts no pipeline, and publications finish in any order): they count too.
        return _settings.BatchSize > 1
            && car is { BisectionProbe: false, Attempt: 0 }
            && BatchAhead(index) + 1 + BatchedBehind(index) < BatchTarget()
            && BatchGoesOn(index);
    }

    /// <summary>How many batched cars are right behind the car on the chain: they wait for a car behind them to end their batch.</summary>
    private int BatchedBehind(int index)
    {
        var end = ChainEnd();
        var count = 0;
        while (index + count + 1 < end && _cars[index + count + 1].Stage == CarStage.Batched)
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Whether the car ahead has not been decided, batched or not: it is still being published, or is
    /// itself waiting for the car ahead of it (publications can finish in any order).
    /// </summary>
    private bool BatchAheadUndecided(int index)
    {
        for (var i = index - 1; _settings.BatchSize > 1 && i >= 0; i--)
        {
            if (_cars[i].Stage == CarStage.Publishing)
            {
                return true;
            }

            if (_cars[i].Stage != CarStage.ReadyForPipeline)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Whether a car behind can still end the car's batch: one that is built on the chain as usual.</summary>
    private bool BatchGoesOn(int index) =>
        index + 1 < ChainEnd() && _cars[index + 1] is { MergeImmediately: false, Stale: false };

    /// <summary>
    /// Whether a failure of the car's pipeline cannot be pinned on the car yet: it tested a batch, or
    /// it is a probe whose failure counts once the pipeline ahead of it has passed.
    /// </summary>
    private bool IsUnattributed(int index) => (BatchAhead(index) > 0 || _cars[index].BisectionProbe) && _cars[index] is { Stale: false, SetAside: null };

    /// <summary>Whether the car is part of a batch: batched ahead of a pipeline, ending one, or bisecting one.</summary>
    private bool InBatch(int index) =>
        _cars[index].Stage == CarStage.Batched || _cars[index].BisectionProbe || _cars[index].Bisecting || _cars[index].SetAside is not null || BatchAhead(index) > 0;

    /// <summary>
    /// A batch's pipeline failed for good (or a probe's): the MR that fails is searched for among the
    /// batched cars ahead of it, starting with the first half, or its own failure is judged once the
    /// pipeline just ahead of it passed (<see cref="SettleBisection"/>).
    /// </summary>
    private void StartBisection(int index, DropReason reason, string detail)
    {
        var car = _cars[index];
        var size = BatchAhead(index) + 1;
        if (size > 1 && CanSetAside(index))
        {
            SetAsideBatch(index, reason, detail);
            return;
        }

        Update(
            index,
            car with { Stage = CarStage.FailurePending, Bisecting = true, PendingFailure = new CarEnding(CarStatus.Dropped, reason, _actor, detail) },
            "bisecting its batch");
        if (size > 1)
        {
            Audit(car.Iid, car.Status, car.Status, $"{detail}; it tested a batch of {size} ({string.Join(", ", BatchIids(index).Select(iid => $"!{iid}"))}): bisecting it to find the merge request that fails");
            ProbeRun(index);
        }
        else
        {
            Audit(car.Iid, car.Status, car.Status, $"{detail}; judged once the pipeline ahead of it has passed");
        }
    }

    /// <summary>
    /// A bisecting car goes on once the pipeline just ahead of it passed: with batched cars still
    /// between them, they are probed; with none, the failure is the car's own, proven by its pipeline
    /// on exactly the commits that passed ahead of it, and judged as any car's (retried first, where
    /// retries are on). True when something changed.
    /// </summary>
    private bool SettleBisection(int index)
    {
        var ahead = index - BatchAhead(index) - 1;
        if (ahead >= 0 && _cars[ahead].Stage != CarStage.PipelinePassed)
        {
            // The probe ahead (or the car ahead of the batch) has not passed: nothing is known yet.
            return false;
        }

        var car = _cars[index];
        var left = index - ahead;
        if (left > 1)
        {
            if (!ProbeRun(index))
            {
                // The window is full (the probe that passed keeps its place until it merges).
                return false;
            }

            Audit(car.Iid, car.Status, car.Status, ahead >= 0
                ? $"pipeline #{_cars[ahead].Pipeline?.Id} of !{_cars[ahead].Iid} passed: the {left} cars left of its batch are bisected"
                : $"the cars ahead of it merged: the {left} cars left of its batch are bisected");
            return true;
        }

        var failure = car.PendingFailure!;
        var failed = car.Pipeline is { } pipeline ? $"pipeline #{pipeline.Id}" : "its pipeline";
        var proof = ahead >= 0
            ? $"; {TrainNotes.FoundByBisection}: pipeline #{_cars[ahead].Pipeline?.Id} of !{_cars[ahead].Iid} passed on the commits ahead of it, so {failed} proves this merge request fails"
            : $"; {TrainNotes.FoundByBisection}: {failed} tested it on exactly the commits ahead of it, which hold no other merge request of the train";

        // From here on it is a car like any other: its failure gets the retries before it is dropped.
        JudgeAsOwn(index, failure.Detail + proof);
        return true;
    }

    /// <summary>
    /// Probes the batched cars right ahead of a bisecting car: the one halfway along, and, where the
    /// window has room to spare, more, evenly spaced, so that the halves are searched in parallel.
    /// Nothing runs behind a bisecting car meanwhile (see <see cref="ReconcileChain"/>), so the room
    /// of the cars behind, whose commits hold the failing MR, is what the probes use. False, and
    /// nothing probed, while the window has no room at all.
    /// </summary>
    private bool ProbeRun(int index)
    {
        var size = BatchAhead(index) + 1;
        var start = index - size + 1;

        // The bisecting car takes no place: its own is among the spare ones.
        var spare = Room - PlacesAhead(index + 1);
        if (spare < 1)
        {
            return false;
        }

        var probes = Math.Min(spare, size - 1);
        for (var k = 1; k <= probes; k++)
        {
            Probe(start - 1 + ((size * k) + probes) / (probes + 1));
        }

        return true;
    }

    /// <summary>
    /// A batched car gets a pipeline of its own, to test the first half of the batch it is in; the
    /// chain starts it, as any ready car, within the window's room and unless the train is paused.
    /// </summary>
    private void Probe(int index)
    {
        var car = _cars[index];
        Update(index, car with { Stage = CarStage.ReadyForPipeline, BisectionProbe = true }, "bisecting a failed batch: its own pipeline tests the batch up to it");
    }
}
