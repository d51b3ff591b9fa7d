using MergeTrain.Core.Trains;

namespace MergeTrain.Simulator;

/// <summary>
/// Drives the real <see cref="TrainEngine"/> in virtual time: MRs arrive at random, git and GitLab answer
/// effects at once, and a synthetic CI runs pipelines that fail when their car contains a bad MR, or flake.
/// Dropped MRs come back: a bad one fixed after an hour or two, a good one re-added after half an hour.
/// </summary>
internal sealed class Simulation
{
    private readonly Workload _workload;
    private readonly Random _arrivals;
    private readonly Random _ci;
    private readonly TrainEngine _engine;
    private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> _agenda = new();
    private readonly Queue<TrainEffect> _effects = new();
    private readonly Dictionary<string, bool> _commitHasBadMr = [];
    private readonly Dictionary<long, SimPipeline> _pipelines = [];
    private readonly Dictionary<int, SimMr> _mrs = [];
    private readonly List<TimeSpan> _timesToMerge = [];
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
    private long _decisions;
    private string _target = "root";

    public Simulation(Workload workload)
    {
        _workload = workload;
        _arrivals = new Random(workload.Seed);
        _ci = new Random(workload.Seed * 31 + 7);
        _engine = new TrainEngine(new TrainSettings { MaxParallelPipelines = workload.MaxParallelPipelines, MergedResultsPipelines = false });
        _state = TrainState.Create(1, "team/app", "main", _target);
        _commitHasBadMr[_target] = false;
        _now = _start;
    }

    public SimulationResult Run()
    {
        var end = _start + _workload.Duration;
        var iid = 0;
        for (var at = _start + Exponential(_arrivals, _workload.MrsPerHour); at < end; at += Exponential(_arrivals, _workload.MrsPerHour))
        {
            var mr = new SimMr(++iid, _arrivals.NextDouble() < _workload.BadProbability, at);
            _mrs[mr.Iid] = mr;
            At(at, () => Add(mr));
        }

        while (_agenda.TryDequeue(out var action, out var when) && when.At < end)
        {
            _now = when.At;
            action();
        }

        var spent = _pipelines.Values.Sum(p => ((p.FinishedAt ?? end) - p.StartedAt).TotalMinutes);
        var wasted = _pipelines.Values.Where(p => !p.Useful).Sum(p => ((p.FinishedAt ?? end) - p.StartedAt).TotalMinutes);
        _timesToMerge.Sort();
        return new SimulationResult(
            _workload,
            _merged,
            _merged / _workload.Duration.TotalHours,
            Percentile(0.50),
            Percentile(0.95),
            _merged == 0 ? 0 : spent / _merged,
            wasted,
            _wronglyDropped,
            _wronglyDroppedByFlake,
            _state.Cars.Count,
            _decisions);
    }

    private void Add(SimMr mr)
    {
        mr.Version++;
        Send(new MergeRequestAdded(new MergeRequestSnapshot(mr.Iid, $"MR {mr.Iid}", $"feature/{mr.Iid}", "main", mr.Head, false, MergeRequestState.Opened), null, "dev"));
    }

    private void Send(TrainEvent trainEvent)
    {
        var decision = _engine.Decide(_state, trainEvent, _now);
        _decisions++;
        _state = decision.State;
        foreach (var effect in decision.Effects)
        {
            _effects.Enqueue(effect);
        }

        foreach (var car in decision.Finished)
        {
            Finished(car);
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
                var commit = $"c{++_nextCommit}";
                _commitHasBadMr[commit] = _commitHasBadMr[build.BaseSha] || _mrs[build.Iid].Bad;
                Send(new CarBuilt(build.Iid, build.Generation, build.BaseSha, commit));
                break;
            case PublishCar publish:
                Send(new CarPublished(publish.Iid, publish.Generation, publish.CommitSha));
                break;
            case StartPipeline start:
                StartPipeline(start);
                break;
            case CancelPipeline cancel:
                if (_pipelines.TryGetValue(cancel.PipelineId, out var cancelled) && cancelled.FinishedAt is null)
                {
                    cancelled.FinishedAt = _now;
                }

                break;
            case FastForwardTarget fastForward:
                if (_target == fastForward.FromSha)
                {
                    _target = fastForward.ToSha;
                    Send(new FastForwardSucceeded(fastForward.Iid, fastForward.FromSha, fastForward.ToSha));
                }
                else
                {
                    Send(new FastForwardRejected(fastForward.Iid, fastForward.ToSha, _target));
                }

                break;
        }
    }

    private void StartPipeline(StartPipeline start)
    {
        var pipeline = new SimPipeline(_nextPipeline++, start.Iid, start.Sha, start.Ref, _now);
        _pipelines[pipeline.Id] = pipeline;
        var duration = TimeSpan.FromMinutes(_workload.PipelineMedian.TotalMinutes * Math.Exp(_workload.PipelineSpread * Gaussian(_ci)));
        pipeline.Bad = _commitHasBadMr[start.Sha];
        pipeline.Flaked = !pipeline.Bad && _ci.NextDouble() < _workload.FlakeProbability;
        Send(new PipelineCreated(start.Iid, start.Generation, start.Attempt, pipeline.Id, null));
        At(_now + duration, () =>
        {
            if (pipeline.FinishedAt is not null)
            {
                return;
            }

            pipeline.FinishedAt = _now;
            var status = pipeline.Bad || pipeline.Flaked ? PipelineStatus.Failed : PipelineStatus.Success;
            var car = _state.FindCar(pipeline.Iid);

            // A result counts as useful when the train acts on it: a failure that drops the car, or the pass of the commit that merges.
            pipeline.Useful = status == PipelineStatus.Failed && car?.Pipeline?.Id == pipeline.Id;
            Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, status, null));
        });
    }

    private void Finished(Car car)
    {
        var mr = _mrs[car.Iid];
        if (car.Status == CarStatus.Merged)
        {
            _merged++;
            _timesToMerge.Add(_now - mr.FirstAdded);
            if (car.MergedSha is { } sha)
            {
                foreach (var pipeline in _pipelines.Values.Where(p => p.Sha == sha && p.FinishedAt is not null))
                {
                    pipeline.Useful = true;
                }
            }

            return;
        }

        if (!mr.Bad)
        {
            _wronglyDropped++;
            var last = car.Pipeline is { } p && _pipelines.TryGetValue(p.Id, out var sim) ? sim : null;
            if (last?.Flaked == true)
            {
                _wronglyDroppedByFlake++;
            }

            // The author notices and adds it again.
            At(_now + TimeSpan.FromMinutes(30), () => Add(mr));
            return;
        }

        // The author fixes the bad MR, which then is good.
        var fixedAfter = TimeSpan.FromMinutes(60 + (60 * _arrivals.NextDouble()));
        At(_now + fixedAfter, () =>
        {
            mr.Bad = false;
            Add(mr);
        });
    }

    private void At(DateTimeOffset at, Action action) => _agenda.Enqueue(action, (at, _order++));

    private TimeSpan Percentile(double p) =>
        _timesToMerge.Count == 0 ? TimeSpan.Zero : _timesToMerge[Math.Min(_timesToMerge.Count - 1, (int)Math.Floor(p * _timesToMerge.Count))];

    private static TimeSpan Exponential(Random random, double perHour) => TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) / perHour);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class SimMr(int iid, bool bad, DateTimeOffset firstAdded)
    {
        public int Iid { get; } = iid;

        public bool Bad { get; set; } = bad;

        public DateTimeOffset FirstAdded { get; } = firstAdded;

        public int Version { get; set; }

        public string Head => $"mr{Iid}v{Version}";
    }

    private sealed class SimPipeline(long id, int iid, string sha, string @ref, DateTimeOffset startedAt)
    {
        public long Id { get; } = id;

        public int Iid { get; } = iid;

        public string Sha { get; } = sha;

        public string Ref { get; } = @ref;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset? FinishedAt { get; set; }

        public bool Bad { get; set; }

        public bool Flaked { get; set; }

        public bool Useful { get; set; }
    }
}
