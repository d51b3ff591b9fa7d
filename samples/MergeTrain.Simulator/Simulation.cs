using System.Diagnostics;
using MergeTrain.Core.Trains;

namespace MergeTrain.Simulator;

/// <summary>
/// Drives the real <see cref="TrainEngine"/> in virtual time: MRs arrive at random, git and GitLab answer
/// effects at once, and a synthetic CI (<see cref="JobModel"/>) runs pipelines whose jobs fail when their
/// commit contains a bad MR, or flake. Dropped MRs come back: a bad one fixed after an hour or two, a good
/// one re-added after half an hour. Urgent MRs are handled as the <see cref="Policy"/> says. With a
/// <see cref="Workload.Trace"/>, the recorded MRs replace the random ones: their arrivals, bad and
/// flaky flags, pipeline durations and fix times.
/// </summary>
internal sealed class Simulation
{
    private readonly Workload _workload;
    private readonly Policy _policy;
    private readonly JobModel _jobs = JobModel.Default;
    private readonly Random _arrivals;
    private readonly Random _authors;
    private readonly Random _ci;
    private readonly TrainEngine _engine;
    private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> _agenda = new();
    private readonly Queue<TrainEffect> _effects = new();
    private readonly Dictionary<string, int> _brokenJobs = [];
    private readonly Dictionary<string, SimulatedPipeline> _latestFinishedOn = [];
    private readonly Dictionary<long, SimulatedPipeline> _pipelines = [];
    private readonly Queue<(SimulatedPipeline Pipeline, int Jobs)> _waitingForRunner = new();
    private int _busyRunners;
    private int _reportedPending;
    private readonly Dictionary<int, SimMr> _mrs = [];
    private readonly List<TimeSpan> _timesToMerge = [];
    private readonly List<TimeSpan> _urgentTimesToMerge = [];
    private readonly DateTimeOffset _start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private TrainState _state;
    private DateTimeOffset _now;
    private DateTimeOffset? _timerAt;
    private long _order;
    private long _nextPipeline = 1;
    private int _nextCommit;
    private int _merged;
    private int _wronglyDropped;
    private int _wronglyDroppedByFlake;
    private int _retries;
    private int _brokenTargets;
    private long _decisions;
    private readonly HashSet<long> _searches = [];
    private string _target = "root";

    public Simulation(Workload workload, Policy policy)
    {
        _workload = workload;
        _policy = policy;
        _arrivals = new Random(workload.Seed);
        _authors = new Random(workload.Seed * 17 + 3);
        _ci = new Random(workload.Seed * 31 + 7);
        _engine = new TrainEngine(policy.Settings);
        _state = TrainState.Create(1, "team/app", "main", _target);
        _brokenJobs[_target] = 0;
        _now = _start;
    }

    public SimulationResult Run()
    {
        var watch = Stopwatch.StartNew();
        var end = _start + _workload.Duration;
        var iid = 0;
        if (_workload.Trace is { } trace)
        {
            // The recorded MRs, exactly: a bad one breaks the same job of the model (its iid picks which).
            foreach (var traced in trace.MergeRequests)
            {
                var mr = new SimMr(traced.Iid, traced.Bad, false, traced.Iid % _jobs.Count, _start + traced.Arrival)
                {
                    PipelineDuration = traced.PipelineDuration,
                    FlakePending = traced.Flaky,
                    FixAfter = traced.FixAfter,
                };
                _mrs[mr.Iid] = mr;
                At(mr.FirstAdded, () => Add(mr));
            }

            end += trace.Drain;
        }

        for (var at = _start + Exponential(_arrivals, _workload.MrsPerHour); _workload.Trace is null && at < end; at += Exponential(_arrivals, _workload.MrsPerHour))
        {
            var bad = _arrivals.NextDouble() < _workload.BadProbability;

            // Drawn from their own stream, in arrival order: every policy sees the same MRs.
            var urgent = _policy.Urgent != UrgentHandling.None && _authors.NextDouble() < _workload.UrgentProbability;
            var brokenJob = _authors.Next(_jobs.Count);
            var mr = new SimMr(++iid, bad && !urgent, urgent, brokenJob, at);
            _mrs[mr.Iid] = mr;
            At(at, () => Add(mr));
        }

        if (_policy.Settings.WindowFollowsRunners)
        {
            At(_start, PollRunnerQueue);
        }

        while (_agenda.TryDequeue(out var action, out var when) && when.At < end)
        {
            _now = when.At;
            action();
        }

        // A pipeline its car still waits on at the end has no known fate: neither useful nor wasted.
        var pending = _state.Cars.Where(car => car.Pipeline is not null).Select(car => car.Pipeline!.Id).ToHashSet();
        var spent = _pipelines.Values.Sum(p => p.Minutes(end));
        var wasted = _pipelines.Values.Where(p => !p.Useful && !pending.Contains(p.Id)).Sum(p => p.Minutes(end));
        _timesToMerge.Sort();
        _urgentTimesToMerge.Sort();
        return new SimulationResult(
            _workload,
            _policy,
            _merged,
            _merged / _workload.Duration.TotalHours,
            Percentile(_timesToMerge, 0.50),
            Percentile(_timesToMerge, 0.95),
            Percentile(_urgentTimesToMerge, 0.50),
            _urgentTimesToMerge.Count,
            _merged == 0 ? 0 : spent / _merged,
            wasted,
            _wronglyDropped,
            _wronglyDroppedByFlake,
            _retries,
            _brokenTargets,
            _state.Cars.Count,
            _decisions,
            watch.Elapsed)
        {
            SetAside = _searches.Count,
        };
    }

    private void Add(SimMr mr)
    {
        mr.Version++;
        var snapshot = new MergeRequestSnapshot(mr.Iid, $"MR {mr.Iid}", $"feature/{mr.Iid}", "main", mr.Head, false, MergeRequestState.Opened);
        var high = mr.Urgent && _policy.Urgent == UrgentHandling.HighPriority;
        Send(new MergeRequestAdded(snapshot, null, "dev") { Priority = high ? CarPriority.High : CarPriority.Normal });
        if (mr.Urgent && _policy.Urgent == UrgentHandling.MergeImmediately)
        {
            Send(new MergeImmediatelyRequested(mr.Iid, "maintainer"));
        }
    }

    private void Send(TrainEvent trainEvent)
    {
        var before = _state;
        var decision = _engine.Decide(_state, trainEvent, _now);
        _decisions++;
        _state = decision.State;
        foreach (var car in _state.Cars)
        {
            if (car.SetAside is { } aside)
            {
                _searches.Add(aside.Search);
            }
        }

        foreach (var effect in decision.Effects)
        {
            _effects.Enqueue(effect);
        }

        foreach (var car in decision.Finished)
        {
            Finished(car, before);
        }

        if (decision.NextTimerAt is { } timer && timer != _timerAt)
        {
            _timerAt = timer;
            At(timer, () => Send(new TimerTicked()));
        }

        // git and GitLab answer at once; only pipelines take time.
        while (_effects.TryDequeue(out var effect))
        {
            Execute(effect);
        }
    }

    private void Execute(TrainEffect effect)
    {
        switch (effect)
        {
            case BuildCar build:
                Send(new CarBuilt(build.Iid, build.Generation, build.BaseSha, Commit(build.BaseSha, build.Iid)));
                break;
            case PublishCar publish:
                Send(new CarPublished(publish.Iid, publish.Generation, publish.CommitSha));
                break;
            case StartPipeline start:
                StartPipeline(start);
                break;
            case RetryPipeline retry:
                RetryPipeline(retry);
                break;
            case ListFailedJobs list:
                Send(new FailedJobsListed(list.Iid, list.Generation, list.PipelineId, _jobs.Names(_pipelines[list.PipelineId].Failed)));
                break;
            case ListBaseFailedJobs listBase:
                // The simulated target is never broken; a car commit ahead may be.
                var latest = _latestFinishedOn.GetValueOrDefault(listBase.BaseSha);
                Send(new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, latest?.Id, latest is null ? [] : _jobs.Names(latest.Failed)));
                break;
            case CancelPipeline cancel:
                if (_pipelines.TryGetValue(cancel.PipelineId, out var cancelled))
                {
                    var heldRunner = cancelled.Running;
                    cancelled.Cancel(_now);
                    if (heldRunner)
                    {
                        ReleaseRunner();
                    }
                }

                break;
            case FastForwardTarget fastForward:
                if (_target == fastForward.FromSha)
                {
                    // The promise under test: the target only ever holds tested commits, so never one with a broken job.
                    _brokenTargets += _brokenJobs[fastForward.ToSha] == 0 ? 0 : 1;
                    _target = fastForward.ToSha;
                    Send(new FastForwardSucceeded(fastForward.Iid, fastForward.FromSha, fastForward.ToSha));
                }
                else
                {
                    Send(new FastForwardRejected(fastForward.Iid, fastForward.ToSha, _target));
                }

                break;
            case MergeImmediately merge:
                if (_target == merge.BaseSha)
                {
                    _target = Commit(merge.BaseSha, merge.Iid);
                    Send(new MergedImmediately(merge.Iid, merge.Generation, _target));
                }
                else
                {
                    Send(new MergeImmediatelyFailed(merge.Iid, merge.Generation, _target, [], "the target moved"));
                }

                break;
        }
    }

    /// <summary>A new commit merging the MR onto <paramref name="baseSha"/>: it breaks what its base breaks, plus the MR's job if the MR is bad.</summary>
    private string Commit(string baseSha, int iid)
    {
        var commit = $"c{++_nextCommit}";
        var mr = _mrs[iid];
        _brokenJobs[commit] = _brokenJobs[baseSha] | (mr.Bad ? JobModel.Only(mr.BrokenJob) : 0);
        return commit;
    }

    private void StartPipeline(StartPipeline start)
    {
        var duration = _mrs[start.Iid].PipelineDuration
            ?? TimeSpan.FromMinutes(_workload.PipelineMedian.TotalMinutes * Math.Exp(_workload.PipelineSpread * Gaussian(_ci)));
        var pipeline = new SimulatedPipeline(_nextPipeline++, start.Iid, start.Sha, start.Ref, duration, _brokenJobs[start.Sha]);
        _pipelines[pipeline.Id] = pipeline;
        Run(pipeline, _jobs.All);
        Send(new PipelineCreated(start.Iid, start.Generation, start.Attempt, pipeline.Id, null));
        if (pipeline.Running)
        {
            // A runner took it at once: GitLab says so, as it does for one that waited (ReleaseRunner).
            Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, PipelineStatus.Running, null));
        }
    }

    /// <summary>
    /// The server's runner-queue poll (every 30 s by default) asks GitLab how many jobs of the project
    /// wait for a runner, and tells the train every round while any do, and once when none does.
    /// </summary>
    private void PollRunnerQueue()
    {
        var pending = _waitingForRunner.Count(waiting => waiting.Pipeline.Queued);
        if (pending > 0 || _reportedPending > 0)
        {
            _reportedPending = pending;
            Send(new RunnerQueueReported(pending));
        }

        At(_now + RunnerPollEvery, PollRunnerQueue);
    }

    /// <summary>GitLab's retry: the failed jobs run again in the same pipeline, which reports running, then its new result.</summary>
    private void RetryPipeline(RetryPipeline retry)
    {
        var pipeline = _pipelines[retry.PipelineId];
        var failed = pipeline.Failed;
        _retries++;

        // Started before the report: a car that left meanwhile has the retry cancelled at once.
        Run(pipeline, failed);
        Send(new PipelineRetried(retry.Iid, retry.Generation, retry.Attempt, pipeline.Id, _jobs.Names(failed)));
        if (pipeline.Running)
        {
            Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, PipelineStatus.Running, null));
        }
    }

    /// <summary>Runs <paramref name="jobs"/> of the pipeline; the outcome is drawn now and reported when the run ends, unless it is cancelled first.</summary>
    private void Run(SimulatedPipeline pipeline, int jobs)
    {
        if (_workload.Runners > 0)
        {
            if (_busyRunners >= _workload.Runners)
            {
                pipeline.Queued = true;
                _waitingForRunner.Enqueue((pipeline, jobs));
                return;
            }

            _busyRunners++;
        }

        pipeline.StartRun(_now);
        var run = pipeline.Runs;
        var (failed, flaked) = _jobs.Outcome(jobs, pipeline.BrokenJobs, _workload.FlakeProbability, _ci);
        var owner = _mrs[pipeline.Iid];

        // A recorded flake happens once: on the first run of the MR's own car that runs the first job
        // and reports (a cancelled run leaves it pending).
        var recordedFlake = owner.FlakePending && (jobs & ~pipeline.BrokenJobs & JobModel.Only(0)) != 0;
        if (recordedFlake)
        {
            flaked |= JobModel.Only(0);
            failed |= flaked;
        }

        At(_now + _jobs.RunTime(pipeline.Duration, jobs), () =>
        {
            if (pipeline.Runs != run || !pipeline.Running)
            {
                return;
            }

            owner.FlakePending &= !recordedFlake;
            pipeline.FinishRun(_now, failed, flaked);
            ReleaseRunner();
            _latestFinishedOn[pipeline.Sha] = pipeline;
            var status = failed == 0 ? PipelineStatus.Success : PipelineStatus.Failed;
            Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, status, null));
        });
    }

    /// <summary>A runner is free: the oldest pipeline still waiting for one starts.</summary>
    private void ReleaseRunner()
    {
        if (_workload.Runners == 0)
        {
            return;
        }

        _busyRunners--;
        while (_waitingForRunner.TryDequeue(out var next))
        {
            if (next.Pipeline.Queued)
            {
                next.Pipeline.Queued = false;
                Run(next.Pipeline, next.Jobs);
                if (next.Pipeline.Running)
                {
                    Send(new PipelineStatusChanged(next.Pipeline.Id, next.Pipeline.Sha, next.Pipeline.Ref, PipelineStatus.Running, null));
                }

                return;
            }
        }
    }

    /// <summary>Counts a car that left the train, marks the pipelines the train acted on, and sends the MR back as its author would.</summary>
    private void Finished(Car car, TrainState before)
    {
        var mr = _mrs[car.Iid];
        var pipeline = car.Pipeline is { } p ? _pipelines.GetValueOrDefault(p.Id) : null;
        if (car.Status == CarStatus.Merged)
        {
            _merged++;
            _timesToMerge.Add(_now - mr.FirstAdded);
            if (mr.Urgent)
            {
                _urgentTimesToMerge.Add(_now - mr.FirstAdded);
            }

            // Its pass merged it. A failed pipeline a later green absolved was not what the train acted on.
            if (pipeline is { Finished: true, Failed: 0 })
            {
                pipeline.Useful = true;
            }

            return;
        }

        if (pipeline is { Finished: true })
        {
            pipeline.Useful = true;
        }

        // A pending failure is settled by the failures of the cars right behind it (often reported in
        // the same decision): those results were acted on too, though their own cars are rebuilt next.
        var at = before.Cars.ToList().FindIndex(c => c.Iid == car.Iid);
        for (var k = at + 1; at >= 0 && k < before.Cars.Count && k <= at + _policy.Settings.PendingFailureDepth; k++)
        {
            if (before.Cars[k].Pipeline is { } evidence && _pipelines.TryGetValue(evidence.Id, out var settled) && settled is { Finished: true, Failed: not 0 })
            {
                settled.Useful = true;
            }
        }

        if (!mr.Bad)
        {
            _wronglyDropped++;
            if (pipeline is { Finished: true, Failed: not 0 } && (pipeline.Failed & pipeline.BrokenJobs) == 0)
            {
                _wronglyDroppedByFlake++;
            }

            // The author notices and adds it again.
            At(_now + TimeSpan.FromMinutes(30), () => Add(mr));
            return;
        }

        // The author fixes the bad MR, which then is good.
        var fixedAfter = mr.FixAfter ?? TimeSpan.FromMinutes(60 + (60 * _arrivals.NextDouble()));
        At(_now + fixedAfter, () =>
        {
            mr.Bad = false;
            Add(mr);
        });
    }

    private static readonly TimeSpan RunnerPollEvery = TimeSpan.FromSeconds(30);

    private void At(DateTimeOffset at, Action action) => _agenda.Enqueue(action, (at, _order++));

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];

    private static TimeSpan Exponential(Random random, double perHour) => TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) / perHour);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class SimMr(int iid, bool bad, bool urgent, int brokenJob, DateTimeOffset firstAdded)
    {
        public int Iid { get; } = iid;

        public bool Bad { get; set; } = bad;

        public bool Urgent { get; } = urgent;

        /// <summary>The job a bad MR fails, every time.</summary>
        public int BrokenJob { get; } = brokenJob;

        public DateTimeOffset FirstAdded { get; } = firstAdded;

        public int Version { get; set; }

        /// <summary>A traced MR's recorded pipeline duration; null draws one.</summary>
        public TimeSpan? PipelineDuration { get; init; }

        /// <summary>A traced flaky MR whose one flake has not happened yet.</summary>
        public bool FlakePending { get; set; }

        /// <summary>A traced bad MR's recorded time to its fix; null draws one.</summary>
        public TimeSpan? FixAfter { get; init; }

        public string Head => $"mr{Iid}v{Version}";
    }
}
