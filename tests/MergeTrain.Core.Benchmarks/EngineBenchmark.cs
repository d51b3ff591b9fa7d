using System.Diagnostics;
using MergeTrain.Core.Trains;

namespace MergeTrain.Core.Benchmarks;

/// <summary>
/// How many events per second the train engine decides, for trains of 20 and of 1,000 cars, over a
/// realistic mix: pipeline status updates, successes that merge, failures that rebuild the cars
/// behind, new MRs, timer ticks, duplicated and outdated pipeline events, and the effect results
/// (builds, publications, pipeline creations, fast-forwards) that all of these cause.
/// </summary>
internal static class EngineBenchmark
{
    public static int Run(string[] args)
    {
        Console.WriteLine("| cars on the train | events decided | events/s | µs/event |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var cars in new[] { 20, 1000 })
        {
            Measure(cars, TimeSpan.FromSeconds(0.5), print: false);
            Measure(cars, TimeSpan.FromSeconds(3), print: true);
        }

        return 0;
    }

    private static void Measure(int cars, TimeSpan duration, bool print)
    {
        var driver = new Driver(cars, seed: 7);
        driver.Fill();
        driver.Decisions = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < 100; i++)
            {
                driver.Step();
            }
        }

        watch.Stop();
        if (print)
        {
            var perSecond = driver.Decisions / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"| {cars:N0} | {driver.Decisions:N0} | {perSecond:N0} | {1e6 / perSecond:F1} |");
        }
    }

    private sealed class Driver(int size, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly TrainEngine _engine = new(new TrainSettings());
        private readonly Queue<TrainEffect> _effects = new();
        private readonly List<(long Id, string Sha, string Ref)> _running = [];
        private readonly List<(long Id, string Sha, string Ref)> _old = [];
        private TrainState _state = TrainState.Create(1, "team/app", "main", "root");
        private DateTimeOffset _now = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        private int _nextIid;
        private int _nextCommit;
        private long _nextPipeline = 1;

        public long Decisions { get; set; }

        public void Fill()
        {
            while (_state.Cars.Count < size)
            {
                AddMr();
            }
        }

        public void Step()
        {
            var roll = _random.Next(100);
            switch (roll)
            {
                case < 40 when _running.Count > 0:
                    var update = _running[_random.Next(_running.Count)];
                    Send(new PipelineStatusChanged(update.Id, update.Sha, update.Ref, PipelineStatus.Running, null));
                    break;
                case < 55:
                    _now += TimeSpan.FromSeconds(30);
                    Send(new TimerTicked());
                    break;
                case < 75 when _running.Count > 0:
                    Finish(_running[_random.Next(Math.Min(3, _running.Count))], PipelineStatus.Success);
                    break;
                case < 80 when _running.Count > 0:
                    Finish(_running[_random.Next(_running.Count)], PipelineStatus.Failed);
                    break;
                case < 90 when _old.Count > 0:
                    var late = _old[_random.Next(_old.Count)];
                    Send(new PipelineStatusChanged(late.Id, late.Sha, late.Ref, PipelineStatus.Success, null));
                    break;
                default:
                    Send(new MergeRequestUpdated(new MergeRequestSnapshot(100_000 + _random.Next(50), "other", "other", "main", $"o{_random.Next(1000)}", false, MergeRequestState.Opened), null, "dev"));
                    break;
            }

            Fill();
        }

        private void Finish((long Id, string Sha, string Ref) pipeline, PipelineStatus status)
        {
            _running.Remove(pipeline);
            _old.Add(pipeline);
            if (_old.Count > 200)
            {
                _old.RemoveAt(0);
            }

            Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, status, null));
        }

        private void AddMr()
        {
            var iid = ++_nextIid;
            Send(new MergeRequestAdded(new MergeRequestSnapshot(iid, $"MR {iid}", $"feature/{iid}", "main", $"h{iid}", false, MergeRequestState.Opened), null, "dev"));
        }

        private void Send(TrainEvent trainEvent)
        {
            var decision = _engine.Decide(_state, trainEvent, _now);
            Decisions++;
            _state = decision.State;
            foreach (var effect in decision.Effects)
            {
                _effects.Enqueue(effect);
            }

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
                    Send(new CarBuilt(build.Iid, build.Generation, build.BaseSha, $"c{++_nextCommit}"));
                    break;
                case PublishCar publish:
                    Send(new CarPublished(publish.Iid, publish.Generation, publish.CommitSha));
                    break;
                case StartPipeline start:
                    var id = _nextPipeline++;
                    _running.Add((id, start.Sha, start.Ref));
                    Send(new PipelineCreated(start.Iid, start.Generation, start.Attempt, id, null));
                    break;
                case CancelPipeline cancel:
                    _running.RemoveAll(p => p.Id == cancel.PipelineId);
                    break;
                case FastForwardTarget fastForward:
                    Send(new FastForwardSucceeded(fastForward.Iid, fastForward.FromSha, fastForward.ToSha));
                    break;
                case BuildMergedResult build:
                    Send(new MergedResultBuilt(build.Iid, build.Generation, $"m{++_nextCommit}"));
                    break;
            }
        }
    }
}
