namespace MergeTrain.Core.Trains;

/// <summary>
/// The working copy of one decision: the engine mutates it while handling one event, then freezes
/// it into a <see cref="Decision"/>. Never shared, never reused.
/// </summary>
internal sealed partial class Transition
{
    private readonly TrainSettings _settings;
    private readonly TrainState _state;
    private readonly DateTimeOffset _now;
    private readonly List<Car> _cars;
    private readonly List<TrainEffect> _effects = [];
    private readonly List<AuditRecord> _audit = [];
    private readonly List<Car> _newlyFinished = [];
    private readonly List<JobRetryOutcome> _jobRetries = [];

    // Copied on first write: most events touch none of these.
    private List<Car>? _finished;
    private List<MergedResult>? _mergedResults;
    private List<string>? _produced;
    private List<long>? _retired;

    private string? _targetHead;
    private bool _paused;
    private int _window;
    private int? _runnerCapacity;
    private readonly double _debtAtStart;
    private long _nextGeneration;
    private long _nextSequence;
    private long _mergedCount;
    private long _droppedCount;
    private string _actor = TrainEngine.SystemActor;
    private Rejection? _rejection;
    private string? _ignored;

    public Transition(TrainSettings settings, TrainState state, DateTimeOffset now)
    {
        _settings = settings;
        _state = state;
        _now = now;
        _cars = [.. state.Cars];
        _targetHead = state.TargetHeadSha;
        _paused = state.Paused;
        _nextGeneration = state.NextGeneration;
        _nextSequence = state.NextSequence;
        _mergedCount = state.MergedCount;
        _droppedCount = state.DroppedCount;
        _window = Math.Clamp(state.Window ?? settings.MaxParallelPipelines, settings.MinParallelPipelines, settings.MaxParallelPipelines);
        _runnerCapacity = settings.WindowFollowsRunners ? state.RunnerCapacity : null;
        _debtAtStart = CiBudget.Debt(settings, state, now);
    }

    private IReadOnlyList<MergedResult> MergedResults => _mergedResults ?? _state.MergedResults;

    private List<MergedResult> MutableMergedResults => _mergedResults ??= [.. _state.MergedResults];

    public void Apply(TrainEvent trainEvent)
    {
        switch (trainEvent)
        {
            case MergeRequestAdded e: OnAdded(e); break;
            case MergeRequestRemoved e: OnRemoved(e); break;
            case AutoMergeRequested e: OnAutoMergeRequested(e); break;
            case MergeRequestUpdated e: OnUpdated(e); break;
            case MergeRequestClosed e: OnClosed(e); break;
            case MergeRequestDrafted e: OnDrafted(e); break;
            case MergeRequestMerged e: OnMerged(e); break;
            case TargetBranchMoved e: OnTargetMoved(e); break;
            case CarBuilt e: OnCarBuilt(e); break;
            case CarConflicted e: OnCarConflicted(e); break;
            case CarPublished e: OnCarPublished(e); break;
            case CarEffectFailed e: OnCarEffectFailed(e); break;
            case PipelineCreated e: OnPipelineCreated(e); break;
            case PipelineStatusChanged e: OnPipelineStatusChanged(e); break;
            case FastForwardSucceeded e: OnFastForwardSucceeded(e); break;
            case FastForwardRejected e: OnFastForwardRejected(e); break;
            case TimerTicked: OnTimerTicked(); break;
            case TrainPaused e: OnPaused(e); break;
            case TrainResumed e: OnResumed(e); break;
            case MergeImmediatelyRequested e: OnMergeImmediatelyRequested(e); break;
            case MergedImmediately e: OnMergedImmediately(e); break;
            case MergeImmediatelyFailed e: OnMergeImmediatelyFailed(e); break;
            case MergedResultBuilt e: OnMergedResultBuilt(e); break;
            case MergedResultConflicted e: OnMergedResultConflicted(e); break;
            case MergedResultPipelineCreated e: OnMergedResultPipelineCreated(e); break;
            case PipelineRetried e: OnPipelineRetried(e); break;
            case FailedJobsListed e: OnFailedJobsListed(e); break;
            case BaseJobsListed e: OnBaseJobsListed(e); break;
            case SourcePublished e: OnSourcePublished(e); break;
            case SourcePublicationRefused e: OnSourcePublicationRefused(e); break;
            case RunnerQueueReported e: OnRunnerQueueReported(e); break;
            default: throw new ArgumentException($"Unknown train event {trainEvent.GetType().Name}.", nameof(trainEvent));
        }

        if (_rejection is null)
        {
            Reconcile();
        }
    }

    public Decision ToDecision()
    {
        if (_rejection is not null)
        {
            return new Decision(_state, [], [], [], _rejection, null, NextTimerAt(_state.Cars));
        }

        var state = _state with
        {
            TargetHeadSha = _targetHead,
            Paused = _paused,
            Cars = _cars.ToArray(),
            Finished = _finished is null ? _state.Finished : _finished.ToArray(),
            MergedResults = _mergedResults is null ? _state.MergedResults : _mergedResults.ToArray(),
            ProducedCommits = _produced is null ? _state.ProducedCommits : _produced.ToArray(),
            RetiredPipelines = _retired is null ? _state.RetiredPipelines : _retired.ToArray(),
            NextGeneration = _nextGeneration,
            NextSequence = _nextSequence,
            MergedCount = _mergedCount,
            DroppedCount = _droppedCount,
            Window = _settings.AdaptiveWindow ? _window : null,
            RunnerCapacity = _runnerCapacity,
        };
        state = WithWasteCounted(state);
        var changed = _effects.Count > 0 || _audit.Count > 0;
        return new Decision(state, _effects.ToArray(), _audit.ToArray(), _newlyFinished.ToArray(), null, changed ? null : _ignored, Earliest(NextTimerAt(_cars), BudgetFreedAt(_settings, state)))
        {
            JobRetries = _jobRetries.ToArray(),
        };
    }

    /// <summary>
    /// Brings every car one step closer to merged, in order: a car is built on the commit of the car
    /// ahead (or the target head), only once that commit is known, and only within the first
    /// MaxParallelPipelines cars. Anything built on a base that is no longer current is thrown away.
    /// Idempotent: on a consistent state it does nothing.
    /// </summary>
    private void Reconcile()
    {
        // Set-aside batches first: their probes take their places before the chain fills the window.
        ReconcileSetAside();
        do
        {
            ReconcileChain();
            while (SettlePendingFailures())
            {
                ReconcileChain();
            }

            AbsolveAtTheFront();
        }
        while (ReconcileSetAside());
    }

    private void ReconcileChain()
    {
        var queuedFrom = QueuedFrom();
        var expectedBase = _targetHead;
        var chainKnown = expectedBase is not null;
        // Set once a batch ahead is being bisected: why everything behind it waits.
        string? bisecting = null;

        // Pipelines ahead of the car, counted as batches: a batched car shares its pipeline's place.
        // The probes of set-aside batches come first: each took the place of its failed batch.
        var units = SetAsidePlaces();
        var chainEnd = ChainEnd();
        for (var i = 0; i < chainEnd; i++)
        {
            if (i > 0 && TakesPlace(_cars[i - 1]))
            {
                units++;
            }

            var car = _cars[i];
            if (car.MergeImmediately)
            {
                if (car.Stage != CarStage.MergingImmediately && chainKnown)
                {
                    RequestImmediateMerge(i, expectedBase!);
                }

                // Everything behind waits for the new target head the immediate merge produces.
                chainKnown = false;
                continue;
            }

            if (units >= _settings.MaxParallelPipelines && !(chainKnown && car.BaseSha == expectedBase && RunsNothing(car)))
            {
                Invalidate(i, bisecting ?? "waiting for room: MaxParallelPipelines cars ahead");
                continue;
            }

            if (car.Stale)
            {
                if (i > 0 || IsBeingJudged(car))
                {
                    // Kept as it is until it reaches the front; nothing is built behind a chain that cannot merge.
                    chainKnown = false;
                    continue;
                }

                _cars[i] = car with { Stale = false };
                Audit(car.Iid, car.Status, car.Status, "reached the front after an immediate merge that kept the train: rebuilt on the target head");
            }

            if (units >= Room && (!chainKnown || car.BaseSha != expectedBase || !(HasPipeline(car) || RunsNothing(car)) || (i >= queuedFrom && car.Pipeline is not null)))
            {
                // Beyond the adaptive window, the CI budget or the runners: nothing new starts; pipelines
                // already running go on (only queued ones beyond the runners are cancelled).
                Invalidate(i, bisecting ?? RoomReason);
                chainKnown = false;
                continue;
            }

            if (!chainKnown)
            {
                Invalidate(i, bisecting ?? "the commits ahead of it changed");
                continue;
            }

            if (car.BaseSha != expectedBase)
            {
                RequestBuild(i, expectedBase!);
                chainKnown = false;
                continue;
            }

            if (car.Stage == CarStage.Building)
            {
                chainKnown = false;
                continue;
            }

            expectedBase = car.CommitSha;
            if (car.Stage == CarStage.ReadyForPipeline && BatchAheadUndecided(i))
            {
                // Published first: whether it ends the batch of the car ahead is known once that car is.
            }
            else if (car.Stage == CarStage.ReadyForPipeline && JoinsBatch(i))
            {
                Update(i, car with { Stage = CarStage.Batched }, $"in a batch: tested by the pipeline of a car behind it ({BatchAhead(i) + 1} of up to {BatchTarget()})");
            }
            else if (car.Stage == CarStage.ReadyForPipeline && !_paused)
            {
                StartCarPipeline(i);
            }
            else if (car.Stage == CarStage.Batched && !BatchGoesOn(i))
            {
                // The car that was to test it left: it ends its batch.
                Update(i, car with { Stage = CarStage.ReadyForPipeline }, "ends its batch: no car behind it to test it");
                if (!_paused)
                {
                    StartCarPipeline(i);
                }
            }
            else if (i == 0 && car.Stage == CarStage.PipelinePassed && car.PendingFastForwardSha is null && !_paused && SourcesReady(0, 0))
            {
                RequestFastForward(i);
            }

            if (car.Bisecting && _settings.PendingFailureDepth == 0)
            {
                // Every commit behind holds the MR that fails, and only a later green could make use of
                // one: nothing runs there, and the room goes to the probes (see ProbeRun).
                chainKnown = false;
                bisecting = "waiting: a batch ahead of it is being bisected";
            }
        }
    }

    private void RequestBuild(int index, string baseSha)
    {
        Invalidate(index, "rebuilt on a new base");
        var car = _cars[index];
        var generation = _nextGeneration++;
        Update(index, car with { Stage = CarStage.Building, Generation = generation, BaseSha = baseSha }, "car commit requested");
        Emit(new BuildCar(
            $"build-car/{car.Iid}/g{generation}",
            car.Iid,
            generation,
            index + 1,
            baseSha,
            car.HeadSha,
            TrainNotes.MergeMessage(car.SourceBranch, _state.TargetBranch, car.Title, _state.ProjectPath, car.Iid),
            PublishedBranches.MergeRef(car.Iid))
        {
            UpstreamSha = _targetHead,
            Squash = car.Squash,
            SquashMessage = TrainNotes.SquashMessage(car.Title),
        });
    }

    private void StartCarPipeline(int index)
    {
        var car = _cars[index];
        Update(index, car with { Stage = CarStage.StartingPipeline, Pipeline = null, PipelineRequestedAt = _now }, "pipeline requested");
        var variables = new Dictionary<string, string>
        {
            ["MERGE_TRAIN_IID"] = car.Iid.ToString(),
            ["MERGE_TRAIN_TARGET_BRANCH"] = _state.TargetBranch,
            ["MERGE_TRAIN_POSITION"] = (index + 1).ToString(),
        };
        if (_settings.BatchSize > 1)
        {
            // What the pipeline tests beyond the commits ahead of its batch, for jobs that report per MR.
            variables["MERGE_TRAIN_BATCH_IIDS"] = string.Join(' ', BatchIids(index));
        }

        Emit(new StartPipeline(
            $"start-pipeline/{car.Iid}/g{car.Generation}/a{car.Attempt}",
            car.Iid,
            car.Generation,
            car.Attempt,
            CarBranch(car.Iid),
            car.CommitSha!,
            variables));
    }

    private void RequestFastForward(int index)
    {
        var car = _cars[index];
        Update(
            index,
            car with { PendingFastForwardSha = car.CommitSha, PendingFastForwardPipelineId = car.Pipeline?.Id },
            $"pipeline #{car.Pipeline?.Id} passed; fast-forwarding '{_state.TargetBranch}'");
        Emit(new FastForwardTarget(
            $"fast-forward/{car.Iid}/g{car.Generation}/s{_nextSequence++}",
            car.Iid,
            _state.TargetBranch,
            _targetHead!,
            car.CommitSha!));
    }

    private void RequestImmediateMerge(int index, string baseSha)
    {
        var car = _cars[index];
        var generation = _nextGeneration++;
        Update(
            index,
            car with { Stage = CarStage.MergingImmediately, Generation = generation, BaseSha = baseSha, CommitSha = null },
            $"merging immediately at the request of {car.MergeImmediatelyBy}");
        Emit(new MergeImmediately(
            $"merge-immediately/{car.Iid}/g{generation}",
            car.Iid,
            generation,
            _state.TargetBranch,
            baseSha,
            car.HeadSha,
            TrainNotes.MergeMessage(car.SourceBranch, _state.TargetBranch, car.Title, _state.ProjectPath, car.Iid)));
    }

    /// <summary>
    /// Where, while the runners bound the train (<see cref="TrainSettings.WindowFollowsRunners"/>), the
    /// cars begin whose pipelines no runner has taken yet, up to the end of the chain; beyond what the
    /// runners run, their pipelines are cancelled. That costs no runner a minute, and their place in
    /// the runners' queue goes to the cars ahead: a car rebuilt at the front after a failure would
    /// otherwise wait behind them. A car behind with a running pipeline keeps them all, since
    /// rebuilding it would throw away minutes already spent. <c>int.MaxValue</c> when nothing is bound.
    /// </summary>
    private int QueuedFrom()
    {
        if (_runnerCapacity is null || _runnerCapacity >= Window)
        {
            return int.MaxValue;
        }

        var from = ChainEnd();
        while (from > 0 && _cars[from - 1].Pipeline?.Status is null or PipelineStatus.Created or PipelineStatus.Pending)
        {
            from--;
        }

        return from;
    }

    /// <summary>Throws away whatever was built for the car; its pipeline, if running, is cancelled.</summary>
    private void Invalidate(int index, string reason)
    {
        var car = _cars[index];
        if (car.Stage == CarStage.Waiting && car.BaseSha is null)
        {
            return;
        }

        ReleasePipeline(car, reason);
        Update(
            index,
            car with
            {
                Stage = CarStage.Waiting,
                BaseSha = null,
                CommitSha = null,
                Pipeline = null,
                PipelineRequestedAt = null,
                Attempt = 0,
                RetriedJobs = [],
                Stale = false,
                Rebuilds = car.Rebuilds + 1,
                FailedJobs = [],
                PendingFailure = null,
                RewrittenHeadSha = null,
                PublishingSource = false,
                FailureHeld = false,
                BisectionProbe = false,
                Bisecting = false,
            },
            reason);
    }

    /// <summary>The car's pipeline leaves the train: cancelled if still running, and its later events ignored.</summary>
    private void ReleasePipeline(Car car, string reason)
    {
        if (car.Pipeline is not { } pipeline || IsRetired(pipeline.Id))
        {
            return;
        }

        if (!pipeline.Status.IsFinished())
        {
            Emit(new CancelPipeline($"cancel-pipeline/{pipeline.Id}", pipeline.Id, car.Iid, reason));
        }

        Retire(pipeline.Id);
    }

    private void CancelOrphanPipeline(long pipelineId, int iid, string reason)
    {
        if (IsRetired(pipelineId))
        {
            Ignore("a pipeline the train already cancelled");
            return;
        }

        Emit(new CancelPipeline($"cancel-pipeline/{pipelineId}", pipelineId, iid, reason));
        Retire(pipelineId);
    }

    private void Update(int index, Car car, string reason)
    {
        var before = _cars[index];
        var status = ActiveStatus(car);
        _cars[index] = car with { Status = status, UpdatedAt = _now };
        if (before.Status != status)
        {
            Audit(car.Iid, before.Status, status, reason);
        }
    }

    private static CarStatus ActiveStatus(Car car) =>
        car.PendingFastForwardSha is not null || car.MergeImmediately ? CarStatus.Merging
        : car.Stale ? CarStatus.Stale
        : HasPipeline(car) || car.Stage == CarStage.Batched ? CarStatus.Fresh
        : car.Rebuilds > 0 ? CarStatus.Stale
        : CarStatus.Idle;

    /// <summary>Removes a car from the train as merged, skip_merged or dropped.</summary>
    private Car EndCar(int index, CarStatus status, DropReason? reason, string detail, IReadOnlyList<string>? conflictPaths = null, string? mergedSha = null)
    {
        var car = _cars[index];
        ReleasePipeline(car, "the car left the train");
        var ended = car with
        {
            Status = status,
            DropReason = reason,
            Detail = detail,
            ConflictPaths = conflictPaths is null ? [] : conflictPaths.Take(TrainNotes.MaxConflictPathsShown).ToArray(),
            MergedSha = mergedSha,
            FinishedAt = _now,
            FinishedBy = _actor,
            UpdatedAt = _now,
            PendingEnding = null,
            PendingFailure = null,
            PendingFastForwardSha = null,
            PendingFastForwardPipelineId = null,
        };
        _cars.RemoveAt(index);
        if (status != CarStatus.Merged)
        {
            // Kept pipelines behind it tested a chain holding an MR that will not merge: they say nothing now.
            InvalidateStale(index, $"!{car.Iid}, on the chain its pipeline tested, left the train");
        }

        _finished ??= [.. _state.Finished];
        _finished.Add(ended);
        if (_finished.Count > TrainState.FinishedCarsKept)
        {
            _finished.RemoveRange(0, _finished.Count - TrainState.FinishedCarsKept);
        }

        _newlyFinished.Add(ended);
        Audit(car.Iid, car.Status, status, reason is { } r ? $"{r.ToGitLabName()}: {detail}" : detail);
        if (car.Generation != 0)
        {
            Emit(new DeleteBranch($"delete-branch/{car.Iid}/s{_nextSequence++}", car.Iid, CarBranch(car.Iid)));
        }

        return ended;
    }

    /// <summary>Drops a car with its reason and note; a car whose merge is in flight drops only if that merge fails.</summary>
    private void Drop(int index, DropReason reason, string detail, IReadOnlyList<string>? conflictPaths = null, int totalConflictPaths = 0)
    {
        var car = _cars[index];
        if (car.PendingFastForwardSha is not null || car.Stage == CarStage.MergingImmediately)
        {
            if (car.PendingEnding is null)
            {
                _cars[index] = car with { PendingEnding = new CarEnding(CarStatus.Dropped, reason, _actor, detail), UpdatedAt = _now };
                Audit(car.Iid, car.Status, car.Status, $"{reason.ToGitLabName()} while merging: applied if the merge fails");
            }

            return;
        }

        if (reason is DropReason.PipelineFailed or DropReason.PipelineTimeout)
        {
            NarrowWindow();
        }

        var ended = EndCar(index, CarStatus.Dropped, reason, detail, conflictPaths);
        _droppedCount++;
        Note(car.Iid, TrainNotes.Dropped(reason, detail, conflictPaths ?? [], totalConflictPaths));
        if (reason is DropReason.PipelineFailed or DropReason.PipelineTimeout or DropReason.MergeConflict or DropReason.Error)
        {
            Emit(new SetCommitStatus(
                $"commit-status/{car.Iid}/s{_nextSequence++}",
                car.Iid,
                car.HeadSha,
                CommitState.Failed,
                ended.Pipeline?.WebUrl,
                $"dropped from the merge train: {reason.ToGitLabName()}"));
        }
    }

    private void MarkMerged(int index, string mergedSha, string detail, string note)
    {
        if (!_cars[index].MergeImmediately)
        {
            WidenWindow();
        }

        var car = EndCar(index, CarStatus.Merged, null, detail, mergedSha: mergedSha);
        _mergedCount++;
        Note(car.Iid, note);
        Emit(new SetCommitStatus(
            $"commit-status/{car.Iid}/s{_nextSequence++}",
            car.Iid,
            car.HeadSha,
            CommitState.Success,
            car.Pipeline?.WebUrl,
            "merged by the merge train"));
    }

    private void SkipMerged(int index, string? newTargetSha)
    {
        EndCar(index, CarStatus.SkipMerged, null, "merged outside the merge train");
        if (newTargetSha is not null)
        {
            MoveTargetOutside(newTargetSha);
        }
    }

    private void ApplyEnding(int index, CarEnding ending)
    {
        var actor = _actor;
        _actor = ending.Actor;
        if (ending.Status == CarStatus.SkipMerged)
        {
            SkipMerged(index, null);
        }
        else
        {
            Drop(index, ending.Reason ?? DropReason.Error, ending.Detail);
        }

        _actor = actor;
    }

    /// <summary>The target moved to a commit the train did not produce: everything is rebuilt on it.</summary>
    private void MoveTargetOutside(string newSha)
    {
        if (!IsProduced(newSha))
        {
            MoveTarget(newSha);
        }
    }

    /// <summary>
    /// The target is at <paramref name="newSha"/>, as a compare-and-swap just found it. Authoritative,
    /// even for a commit the train produced: a late push hook may have made the state's head stale.
    /// </summary>
    private void MoveTarget(string newSha)
    {
        if (newSha == _targetHead)
        {
            return;
        }

        _targetHead = newSha;
        Audit(null, null, null, $"'{_state.TargetBranch}' moved outside the train to {Short(newSha)}: rebuilding every car");
        InvalidateStale(0, "the target moved outside the train");
        PutBackAll("the target moved outside the train: back on the train, untested");
        RebuildMergedResults();
    }

    private void RememberProduced(string sha)
    {
        _produced ??= [.. _state.ProducedCommits];
        _produced.Add(sha);
        if (_produced.Count > TrainState.ProducedCommitsKept)
        {
            _produced.RemoveAt(0);
        }
    }

    private bool IsProduced(string sha) => (_produced ?? _state.ProducedCommits).Contains(sha);

    private void Retire(long pipelineId)
    {
        _retired ??= [.. _state.RetiredPipelines];
        _retired.Add(pipelineId);
        if (_retired.Count > TrainState.RetiredPipelinesKept)
        {
            _retired.RemoveAt(0);
        }
    }

    private bool IsRetired(long pipelineId) => (_retired ?? _state.RetiredPipelines).Contains(pipelineId);

    private int FindCar(int iid)
    {
        for (var i = 0; i < _cars.Count; i++)
        {
            if (_cars[i].Iid == iid)
            {
                return i;
            }
        }

        return -1;
    }

    private string CarBranch(int iid) => _settings.CarBranch(_state.TargetBranch, iid);

    private void Emit(TrainEffect effect) => _effects.Add(effect);

    private void Note(int iid, string body) => Emit(new PostNote($"note/{iid}/s{_nextSequence++}", iid, body));

    private void Audit(int? iid, CarStatus? from, CarStatus? to, string reason) => _audit.Add(new AuditRecord(_now, _actor, iid, from, to, reason));

    private void Reject(RejectionKind kind, string message) => _rejection = new Rejection(kind, message);

    private void Ignore(string reason) => _ignored ??= reason;

    private DateTimeOffset? NextTimerAt(IReadOnlyList<Car> cars)
    {
        DateTimeOffset? next = null;
        foreach (var car in cars)
        {
            if (car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning && car.PipelineRequestedAt is { } requested)
            {
                var deadline = requested + _settings.PipelineTimeout;
                if (next is null || deadline < next)
                {
                    next = deadline;
                }
            }
        }

        return next;
    }

    private static string Short(string sha) => sha.Length > 8 ? sha[..8] : sha;
}
