using MergeTrain.Core.Trains;
using NUnit.Framework;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// Thousands of seeded random event sequences against a model of git, GitLab and CI that carries out
/// effects late, out of order and twice; the invariants of SPEC section 3 ("Never") hold after every step.
/// Reproduce a failure with the seed it prints: MERGETRAIN_SEED=&lt;seed&gt; dotnet test --filter Randomized.
/// </summary>
public class RandomizedTrainTests
{
    private const int Sequences = 3000;
    private const int StepsPerSequence = 150;
    private const int BaseSeed = 20261123;

    [Test]
    public void Randomized_event_sequences_keep_the_train_invariants()
    {
        var only = Environment.GetEnvironmentVariable("MERGETRAIN_SEED");
        var seeds = only is null ? Enumerable.Range(BaseSeed, Sequences) : [int.Parse(only)];
        var decisions = 0;
        var merges = 0;
        var overtakes = 0;
        var retries = 0;
        var absolved = 0;
        var brokenBases = 0;
        var keptMerges = 0;
        var batchMerges = 0;
        var probes = 0;
        var setAside = 0;
        var runnerCancels = 0;
        foreach (var seed in seeds)
        {
            var world = new TrainWorld(seed);
            try
            {
                for (var step = 0; step < StepsPerSequence; step++)
                {
                    world.Step();
                }

                world.DrainAndCheckLiveness();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Assert.Fail($"seed {seed} failed after {world.Decisions} decisions (MERGETRAIN_SEED={seed}): {exception.Message}\n{exception.StackTrace}\nlast events:\n{string.Join("\n", world.History.Where(line => !line.StartsWith("TrainResumed", StringComparison.Ordinal)).TakeLast(25))}");
            }

            decisions += world.Decisions;
            merges += world.Merges;
            overtakes += world.Overtakes;
            retries += world.Retries;
            absolved += world.Absolved;
            brokenBases += world.BrokenBases;
            keptMerges += world.KeptMerges;
            batchMerges += world.BatchMerges;
            probes += world.Probes;
            setAside += world.SetAside;
            runnerCancels += world.RunnerCancels;
        }

        TestContext.Out.WriteLine($"{decisions} decisions, {merges} merges by the train, {overtakes} high-priority overtakes, {retries} pipeline retries, {absolved} cars absolved by a later green, {brokenBases} broken bases, {keptMerges} immediate merges that kept the train, {batchMerges} MRs merged in batches, {probes} bisection probes, {setAside} failed batches set aside, {runnerCancels} queued pipelines cancelled for the runners");
        Assert.That(only is not null || batchMerges > 0, "no MR was ever merged in a batch: batches are not exercised");
        Assert.That(only is not null || probes > 0, "no failed batch was ever bisected: bisection is not exercised");
        Assert.That(only is not null || setAside > 0, "no failed batch was ever set aside: the rule is not exercised");
        Assert.That(only is not null || runnerCancels > 0, "no queued pipeline was ever cancelled for the runners: the rule is not exercised");
        Assert.That(only is not null || keptMerges > 0, "no immediate merge ever kept the train: the rule is not exercised");
        Assert.That(only is not null || absolved > 0, "no later green ever absolved a failed car: the rule is not exercised");
        Assert.That(only is not null || brokenBases > 0, "no base was ever found broken: the diagnosis is not exercised");
        Assert.That(only is not null || retries > 0, "no pipeline was ever retried: the retry rules are not exercised");
        Assert.That(merges, Is.GreaterThan(0), "the sequences never merged anything: they test nothing");
        Assert.That(only is not null || overtakes > 0, "no high-priority car ever overtook another: priorities are not tested");
    }

    /// <summary>The model: a git remote, GitLab MRs and pipelines, and an executor that is late and sloppy.</summary>
    private sealed class TrainWorld
    {
        private const int MrPool = 12;
        private static readonly string[] JobNames = ["lint", "unit", "e2e"];
        private readonly Random _random;
        private readonly TrainEngine _engine;
        private readonly List<TrainEffect> _pendingEffects = [];
        private readonly List<TrainEvent> _delayedEvents = [];
        private readonly Dictionary<string, HashSet<string>> _contents = [];
        private readonly Dictionary<string, string> _commitBase = [];
        private readonly Dictionary<string, int> _commitIid = [];
        private readonly Dictionary<long, ModelPipeline> _pipelines = [];
        private readonly Dictionary<int, ModelMr> _mrs = [];
        private readonly HashSet<int> _expectedOnTrain = [];
        private readonly HashSet<string> _successfulShas = [];
        private readonly HashSet<int> _mergedByTrain = [];
        private readonly Dictionary<(int Iid, long Generation), int> _retries = [];
        private readonly TrainSettings _settings;
        private TrainState _state;
        private DateTimeOffset _now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        private string _target = "root";
        private int _nextCommit;
        private long _nextPipeline = 1;

        public TrainWorld(int seed)
        {
            _random = new Random(seed);
            var maxParallel = new[] { 1, 2, 3, 20 }[_random.Next(4)];
            var batchSize = new[] { 1, 1, 2, 4 }[_random.Next(4)];
            var settings = new TrainSettings
            {
                MaxParallelPipelines = maxParallel,
                AdaptiveWindow = _random.Next(2) == 0,
                MinParallelPipelines = 1 + _random.Next(maxParallel),
                WastedMinutesPerHour = new[] { 0, 0, 30, 120 }[_random.Next(4)],
                WindowFollowsRunners = _random.Next(2) == 0,
                FailedPipelineRetries = _random.Next(3),
                PipelineTimeout = TimeSpan.FromMinutes(60),
                MergedResultsPipelines = _random.Next(2) == 0,
                PendingFailureDepth = _random.Next(3),
                DiagnoseBrokenBase = _random.Next(2) == 0,
                SkipTrainAllowed = _random.Next(2) == 0,
                BatchSize = batchSize,
                MinBatchSize = 1 + _random.Next(batchSize),
            };
            _engine = new TrainEngine(settings);
            _settings = settings;
            _state = TrainState.Create(1, "g/p", "main", _target);
            _contents[_target] = [];
            for (var iid = 1; iid <= MrPool; iid++)
            {
                _mrs[iid] = new ModelMr(iid, $"h{iid}v0");
            }
        }

        public int Decisions { get; private set; }

        public int Merges => _mergedByTrain.Count;

        /// <summary>How often a high-priority car went ahead of other cars.</summary>
        public int Overtakes { get; private set; }

        /// <summary>Failed cars merged because a later car containing them passed.</summary>
        public int Absolved { get; private set; }

        /// <summary>Immediate merges that kept the train's pipelines.</summary>
        public int KeptMerges { get; private set; }

        /// <summary>How many MRs merged with another's pipeline (batched, or absolved in a batched train).</summary>
        public int BatchMerges { get; private set; }

        /// <summary>How many pipelines were started to bisect a failed batch.</summary>
        public int Probes { get; private set; }

        public int SetAside { get; private set; }

        /// <summary>Queued pipelines cancelled because jobs waited for a runner.</summary>
        public int RunnerCancels { get; private set; }

        /// <summary>Times the train paused because the base was broken.</summary>
        public int BrokenBases { get; private set; }

        /// <summary>How many pipeline retries the train asked for.</summary>
        public int Retries => _retries.Values.Sum();

        public List<string> History { get; } = [];

        public void Step()
        {
            var roll = _random.Next(100);
            var mr = _mrs[_random.Next(1, MrPool + 1)];
            switch (roll)
            {
                case < 12:
                    if (mr.State == MergeRequestState.Opened)
                    {
                        var priority = _random.Next(4) == 0 ? CarPriority.High : CarPriority.Normal;
                        Send(new MergeRequestAdded(Snapshot(mr), _random.Next(10) == 0 ? "wrong" : null, "dev") { Priority = priority });
                    }

                    break;
                case < 14: Send(new MergeRequestRemoved(mr.Iid, "dev")); break;
                case < 17:
                    if (mr.State == MergeRequestState.Opened)
                    {
                        var old = mr.Head;
                        mr.Head = $"h{mr.Iid}v{++mr.Version}";
                        Send(new MergeRequestUpdated(Snapshot(mr), old, "dev"));
                    }

                    break;
                case < 18:
                    if (mr.State == MergeRequestState.Opened)
                    {
                        mr.State = MergeRequestState.Closed;
                        Send(new MergeRequestClosed(mr.Iid, "dev"));
                    }

                    break;
                case < 19:
                    if (mr.State == MergeRequestState.Opened)
                    {
                        mr.Draft = !mr.Draft;
                        Send(mr.Draft ? new MergeRequestDrafted(mr.Iid, "dev") : new MergeRequestUpdated(Snapshot(mr), null, "dev"));
                    }

                    break;
                case < 21: PushOutside(); break;
                case < 22: MergeOutside(mr); break;
                case < 50: ExecuteEffect(); break;
                case < 72: FinishPipeline(); break;
                case < 85: DeliverDelayed(); break;
                case < 92:
                    _now += TimeSpan.FromMinutes(_random.Next(1, 40));
                    Send(new TimerTicked());
                    if (_random.Next(2) == 0)
                    {
                        // The pipeline poller's question to GitLab: how many jobs wait for a runner.
                        Send(new RunnerQueueReported(_random.Next(2) == 0 ? 0 : _random.Next(1, 6)));
                    }

                    break;
                case < 95: Send(_random.Next(2) == 0 ? new TrainPaused("ops") : new TrainResumed("ops")); break;
                case < 96:
                    if (_state.Cars.Count > 0)
                    {
                        var keep = _random.Next(2) == 0;
                        var decision = Send(new MergeImmediatelyRequested(_state.Cars[_random.Next(_state.Cars.Count)].Iid, "ops") { KeepTrain = keep });
                        KeptMerges += keep && decision.Rejection is null && decision.State.Cars.Any(car => car.Stale) ? 1 : 0;
                    }

                    break;
                default:
                    if (mr.State == MergeRequestState.Closed && _random.Next(2) == 0)
                    {
                        mr.State = MergeRequestState.Opened;
                        Send(new MergeRequestUpdated(Snapshot(mr), null, "dev"));
                    }

                    break;
            }
        }

        public void DrainAndCheckLiveness()
        {
            for (var round = 0; round < 500 && (_state.Cars.Count > 0 || _pendingEffects.Count > 0 || _delayedEvents.Count > 0); round++)
            {
                // A broken base pauses the train; the operator resumes it, as often as needed.
                Send(new TrainResumed("ops"));
                while (_pendingEffects.Count > 0 || _delayedEvents.Count > 0)
                {
                    if (_pendingEffects.Count > 0)
                    {
                        ExecuteEffect(0);
                    }
                    else
                    {
                        DeliverDelayed(0);
                    }
                }

                // The pipeline poller: a result the train missed (a hook decided while its retry was still
                // being reported, so ignored) is told again.
                foreach (var car in _state.Cars.Where(car => car.Stage == CarStage.PipelineRunning && car.Pipeline is not null).ToList())
                {
                    var polled = _pipelines[car.Pipeline!.Id];
                    if (polled.Status.IsFinished() && polled.Status != car.Pipeline.Status)
                    {
                        Send(new PipelineStatusChanged(polled.Id, polled.Sha, polled.Ref, polled.Status, null));
                    }
                }

                foreach (var pipeline in _pipelines.Values.Where(p => p.Status == PipelineStatus.Running).ToList())
                {
                    pipeline.Status = PipelineStatus.Success;
                    _successfulShas.Add(pipeline.Sha);
                    Send(new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, PipelineStatus.Success, null));
                }
            }

            Check(_state.Cars.Count == 0, $"train did not empty: {string.Join(", ", _state.Cars.Select(c => $"!{c.Iid} {c.Status}/{c.Stage}"))}");
            Check(_state.TargetHeadSha == _target, $"engine believes target {_state.TargetHeadSha}, git has {_target}");
            var leaked = _pipelines.Values.Where(p => p.IsCar && !p.Status.IsFinished()).ToList();
            Check(leaked.Count == 0, $"car pipelines left running: {string.Join(", ", leaked.Select(p => p.Id))}");
        }

        private static MergeRequestSnapshot Snapshot(ModelMr mr) => new(mr.Iid, $"MR {mr.Iid}", $"b{mr.Iid}", "main", mr.Head, mr.Draft, mr.State);

        private void PushOutside()
        {
            var sha = NewCommit(_target, null, null);
            _target = sha;
            Later(new TargetBranchMoved(sha, "someone"));
        }

        private void MergeOutside(ModelMr mr)
        {
            if (mr.State != MergeRequestState.Opened)
            {
                return;
            }

            var sha = NewCommit(_target, mr.Head, mr.Iid);
            _target = sha;
            mr.State = MergeRequestState.Merged;
            Later(new MergeRequestMerged(mr.Iid, _random.Next(2) == 0 ? sha : null, "someone"));
            Later(new TargetBranchMoved(sha, "someone"));
        }

        private string NewCommit(string baseSha, string? head, int? iid)
        {
            var sha = $"c{++_nextCommit}";
            var contents = new HashSet<string>(_contents[baseSha]);
            if (head is not null)
            {
                contents.Add(head);
            }

            _contents[sha] = contents;
            _commitBase[sha] = baseSha;
            if (iid is { } i)
            {
                _commitIid[sha] = i;
            }

            return sha;
        }

        private void ExecuteEffect(int? index = null)
        {
            if (_pendingEffects.Count == 0)
            {
                return;
            }

            var at = index ?? _random.Next(_pendingEffects.Count);
            var effect = _pendingEffects[at];
            _pendingEffects.RemoveAt(at);
            var results = Execute(effect);

            // A crash-and-replay executes the same effect twice; its key makes the second a no-op.
            foreach (var result in results)
            {
                if (index is null && _random.Next(4) == 0)
                {
                    Later(result);
                }
                else
                {
                    Send(result);
                }

                if (index is null && _random.Next(15) == 0)
                {
                    Later(result);
                }
            }
        }

        private List<TrainEvent> Execute(TrainEffect effect)
        {
            switch (effect)
            {
                case BuildCar build:
                    if (_contents[build.BaseSha].Contains(build.HeadSha))
                    {
                        // The head is already in the base: GitLab has merged it; the executor says so.
                        return [new MergeRequestMerged(build.Iid, null, "merge-train")];
                    }

                    if (_random.Next(25) == 0)
                    {
                        return [new CarConflicted(build.Iid, build.Generation, build.BaseSha, ["x.txt"])];
                    }

                    return [new CarBuilt(build.Iid, build.Generation, build.BaseSha, NewCommit(build.BaseSha, build.HeadSha, build.Iid))];
                case PublishCar publish:
                    return [new CarPublished(publish.Iid, publish.Generation, publish.CommitSha)];
                case StartPipeline start:
                    {
                        var pipeline = NewPipeline(start.Sha, start.Ref, isCar: true);
                        var created = new PipelineCreated(start.Iid, start.Generation, start.Attempt, pipeline.Id, null);
                        return _random.Next(8) == 0
                            ? [new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, PipelineStatus.Pending, null), created]
                            : [created];
                    }

                case CancelPipeline cancel:
                    if (_pipelines.TryGetValue(cancel.PipelineId, out var cancelled) && !cancelled.Status.IsFinished())
                    {
                        cancelled.Status = PipelineStatus.Canceled;
                        return [new PipelineStatusChanged(cancelled.Id, cancelled.Sha, cancelled.Ref, PipelineStatus.Canceled, null)];
                    }

                    return [];
                case FastForwardTarget fastForward:
                    if (_target != fastForward.FromSha)
                    {
                        return [new FastForwardRejected(fastForward.Iid, fastForward.ToSha, _target)];
                    }

                    {
                        // GitLab marks every MR whose head the pushed commit holds as merged.
                        var landed = LandOnTarget(fastForward.ToSha, fastForward.Iid);
                        return [
                            new FastForwardSucceeded(fastForward.Iid, fastForward.FromSha, fastForward.ToSha),
                            new TargetBranchMoved(fastForward.ToSha, "merge-train"),
                            .. landed.Select(iid => new MergeRequestMerged(iid, fastForward.ToSha, "merge-train")),
                        ];
                    }
                case MergeImmediately merge:
                    if (_target != merge.BaseSha)
                    {
                        return [new MergeImmediatelyFailed(merge.Iid, merge.Generation, _target, [], "target moved")];
                    }

                    if (_contents[merge.BaseSha].Contains(merge.HeadSha))
                    {
                        return [new MergeRequestMerged(merge.Iid, null, "merge-train"), new MergeImmediatelyFailed(merge.Iid, merge.Generation, null, [], "already merged")];
                    }

                    var immediate = NewCommit(merge.BaseSha, merge.HeadSha, merge.Iid);
                    Check(LandOnTarget(immediate, merge.Iid).Count == 1, $"!{merge.Iid} merged immediately with another MR");
                    return [new MergedImmediately(merge.Iid, merge.Generation, immediate), new TargetBranchMoved(immediate, "merge-train")];
                case BuildMergedResult build:
                    if (_random.Next(20) == 0)
                    {
                        return [new MergedResultConflicted(build.Iid, build.Generation, ["y.txt"])];
                    }

                    return [new MergedResultBuilt(build.Iid, build.Generation, NewCommit(build.BaseSha, build.HeadSha, null))];
                case StartMergedResultPipeline start:
                    return [new MergedResultPipelineCreated(start.Iid, start.Generation, NewPipeline(start.Sha, start.Ref, isCar: false).Id, null)];
                case RetryPipeline retry:
                    {
                        // GitLab retries the failed jobs whatever the train thinks now: the pipeline runs again.
                        var pipeline = _pipelines[retry.PipelineId];
                        var failedJobs = pipeline.FailedJobs;
                        pipeline.Status = PipelineStatus.Running;
                        pipeline.FailedJobs = [];
                        return [new PipelineRetried(retry.Iid, retry.Generation, retry.Attempt, retry.PipelineId, failedJobs)];
                    }

                case ListFailedJobs list:
                    return [new FailedJobsListed(list.Iid, list.Generation, list.PipelineId, _random.Next(10) == 0 ? [] : _pipelines[list.PipelineId].FailedJobs)];
                case ListBaseFailedJobs listBase:
                    // The target's own pipeline: none, sound, or failing some jobs (then, often, the base is broken).
                    return [_random.Next(4) switch
                    {
                        0 => new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, null, []),
                        1 => new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, 9000 + _random.Next(100), []),
                        2 => new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, 9000 + _random.Next(100), JobNames.Where(_ => _random.Next(2) > 0).ToArray()),
                        _ => new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, 9000 + _random.Next(100), JobNames),
                    }];
                default:
                    return [];
            }
        }

        /// <summary>Moves the target to <paramref name="sha"/>; returns the MRs it merges, front to back.</summary>
        private List<int> LandOnTarget(string sha, int iid)
        {
            // A merge brings exactly the MR heads of the car commits between the target and it: one,
            // or the failed cars a later green absolved and the car that passed.
            var landed = new List<int>();
            for (var commit = sha; commit != _target; commit = _commitBase[commit])
            {
                landed.Insert(0, _commitIid[commit]);
            }

            var brought = _contents[sha].Except(_contents[_target]).ToList();
            Check(brought.Count == landed.Count && landed[^1] == iid, $"!{iid} merged twice, or with another MR: {sha} brings [{string.Join(", ", brought)}] for [{string.Join(", ", landed)}]");
            foreach (var merged in landed)
            {
                Check(_mergedByTrain.Add(merged), $"!{merged} merged twice by the train");
                _mrs[merged].State = MergeRequestState.Merged;
            }

            if (_settings.BatchSize == 1)
            {
                Absolved += landed.Count - 1;
            }
            else
            {
                BatchMerges += landed.Count - 1;
            }

            _target = sha;
            return landed;
        }

        private ModelPipeline NewPipeline(string sha, string @ref, bool isCar)
        {
            var pipeline = new ModelPipeline(_nextPipeline++, sha, @ref, isCar);
            _pipelines[pipeline.Id] = pipeline;
            return pipeline;
        }

        private void FinishPipeline()
        {
            var running = _pipelines.Values.Where(p => p.Status == PipelineStatus.Running).ToList();
            if (running.Count == 0)
            {
                return;
            }

            var pipeline = running[_random.Next(running.Count)];
            var roll = _random.Next(100);
            pipeline.Status = roll < 75 ? PipelineStatus.Success : roll < 95 ? PipelineStatus.Failed : PipelineStatus.Canceled;
            if (pipeline.Status == PipelineStatus.Success)
            {
                _successfulShas.Add(pipeline.Sha);
            }
            else
            {
                pipeline.FailedJobs = JobNames.Where(_ => _random.Next(2) == 0).DefaultIfEmpty("unit").ToArray();
            }

            var finished = new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, pipeline.Status, null);
            var late = new PipelineStatusChanged(pipeline.Id, pipeline.Sha, pipeline.Ref, PipelineStatus.Running, null);
            switch (_random.Next(6))
            {
                case 0: Later(finished); Send(late); break;
                case 1: Send(finished); Send(finished); break;
                case 2: Send(finished); Later(late); break;
                case 3: Later(finished); break;
                default: Send(finished); break;
            }
        }

        private void DeliverDelayed(int? index = null)
        {
            if (_delayedEvents.Count == 0)
            {
                return;
            }

            var at = index ?? _random.Next(_delayedEvents.Count);
            var trainEvent = _delayedEvents[at];
            _delayedEvents.RemoveAt(at);

            // Events that report the target head carry it as fetched when they are decided (the shell fetches first).
            Send(trainEvent switch
            {
                TargetBranchMoved moved => moved with { NewSha = _target },
                MergeRequestMerged { MergeCommitSha: not null } merged => merged with { MergeCommitSha = _target },
                FastForwardRejected rejected => rejected with { CurrentTargetSha = _target },
                MergeImmediatelyFailed { CurrentTargetSha: not null } failed => failed with { CurrentTargetSha = _target },
                _ => trainEvent,
            });
        }

        private void Later(TrainEvent trainEvent) => _delayedEvents.Add(trainEvent);

        private Decision Send(TrainEvent trainEvent)
        {
            var before = _state;
            var decision = _engine.Decide(before, trainEvent, _now);
            Decisions++;
            Check(Decisions < 20_000, "the train does not settle: too many decisions");
            History.Add($"{trainEvent} -> {string.Join("; ", decision.Effects.Select(e => e.Key))}{(decision.Rejection is null ? "" : " rejected: " + decision.Rejection.Message)}");
            _state = decision.State;
            _pendingEffects.AddRange(decision.Effects);
            Probes += decision.Effects.OfType<StartPipeline>().Count(start => _state.FindCar(start.Iid) is { BisectionProbe: true });
            SetAside += _state.Cars.Select(car => car.SetAside?.Search).Where(search => search is not null).Distinct().Count(search => before.Cars.All(car => car.SetAside?.Search != search));
            CheckInvariants(before, trainEvent, decision);
            return decision;
        }

        /// <summary>
        /// The places in the window the cars ahead of <paramref name="index"/> take: a batch takes one,
        /// held by the probe while it is bisected; the running probes of set-aside batches come first.
        /// </summary>
        private static int PlacesAhead(TrainState state, int index) =>
            state.Cars.Count(car => car.SetAside is not null && TakesPlace(car) && IsRunning(car))
            + state.Cars.Take(index).Count(car => car.SetAside is null && TakesPlace(car));

        private static bool TakesPlace(Car car) => car.Stage != CarStage.Batched && !car.Bisecting;

        private static bool IsRunning(Car car) =>
            car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase;

        /// <summary>
        /// Set-aside cars are last, each search in one run, none merging; only the first car of its
        /// search, on commits the target holds, is dropped for its pipeline.
        /// </summary>
        private static void CheckSetAside(TrainState before, TrainEvent trainEvent, Decision decision)
        {
            var cars = decision.State.Cars;
            var first = cars.ToList().FindIndex(car => car.SetAside is not null);
            if (first >= 0)
            {
                Check(cars.Skip(first).All(car => car.SetAside is not null), "a car on the chain is behind a set-aside car");
                var searches = cars.Skip(first).Select(car => car.SetAside!.Search).ToList();
                Check(searches.Distinct().Count() == searches.Zip(searches.Skip(1)).Count(pair => pair.First != pair.Second) + 1, "a search is split among others");
                Check(cars.Skip(first).All(car => car.PendingFastForwardSha is null && !car.MergeImmediately), "a set-aside car is merging");
            }

            foreach (var dropped in decision.Finished.Where(car => car is { Status: CarStatus.Dropped, DropReason: DropReason.PipelineFailed or DropReason.PipelineTimeout, SetAside: { } }))
            {
                // The cars of its batch ahead of it were cleared before (or by this very event, a probe that passed).
                var all = before.Cars.ToList();
                var at = all.FindIndex(car => car.Iid == dropped.Iid);
                var ahead = at > 0 && all[at - 1].SetAside?.Search == dropped.SetAside!.Search ? all[at - 1] : null;
                Check(at >= 0 && (ahead is null || (trainEvent is PipelineStatusChanged { Status: PipelineStatus.Success } passed && (ahead.Pipeline?.Id == passed.PipelineId || ahead.CommitSha == passed.Sha))), $"set-aside !{dropped.Iid} was dropped with cars of its batch ahead of it");
                Check(dropped.SetAside!.BaseMerged || dropped.SetAside.BaseSha == decision.State.TargetHeadSha, $"set-aside !{dropped.Iid} was dropped before the commits ahead of its batch merged");
                Check(dropped.BaseSha == dropped.SetAside.AheadSha, $"set-aside !{dropped.Iid} was dropped on commits that are not its batch's");
            }
        }

        private void CheckInvariants(TrainState before, TrainEvent trainEvent, Decision decision)
        {
            var state = decision.State;
            if (decision.Rejection is not null)
            {
                Check(ReferenceEquals(state, before) && decision.Effects.Count == 0, "a rejection changed the train");
            }
            else if (trainEvent is MergeRequestAdded added)
            {
                _expectedOnTrain.Add(added.MergeRequest.Iid);
            }

            for (var i = 0; i < state.Cars.Count; i++)
            {
                if (state.Cars[i] is not { Stage: CarStage.Batched, SetAside: null })
                {
                    // A set-aside batched car waits for its search, not for a car behind it.
                    continue;
                }

                // A batched car has no pipeline of its own: a car behind it must be there to test it.
                Check(i + 1 < state.Cars.Count, $"!{state.Cars[i].Iid} is batched with no car behind it to test it");
                var run = 1;
                while (i - run >= 0 && state.Cars[i - run].Stage == CarStage.Batched)
                {
                    run++;
                }

                Check(run < _settings.BatchSize, $"!{state.Cars[i].Iid} ends a run of {run} batched cars: batches hold at most {_settings.BatchSize}");
            }

            // A set-aside car keeps its place in its search: its priority places it when it goes back.
            if (decision.Rejection is null && trainEvent is MergeRequestAdded { Priority: CarPriority.High } high && state.FindCar(high.MergeRequest.Iid) is not { SetAside: not null })
            {
                CheckPriorityPlacement(before, decision, high.MergeRequest.Iid);
            }

            // The target only moves to a car commit whose pipeline succeeded and whose base is the current target head.
            foreach (var fastForward in decision.Effects.OfType<FastForwardTarget>())
            {
                Check(fastForward.FromSha == before.TargetHeadSha || fastForward.FromSha == state.TargetHeadSha, $"fast-forward from {fastForward.FromSha}, target is {before.TargetHeadSha}");

                // Built on the target head, or on the commits of failed cars that this later green absolves, or of the batch it tested (probes included).
                var baseSha = _commitBase.GetValueOrDefault(fastForward.ToSha);
                while (baseSha is not null && baseSha != fastForward.FromSha)
                {
                    var absolved = baseSha;
                    Check(
                        _commitIid.TryGetValue(absolved, out var absolvedIid)
                        && state.Cars.Any(car => car.Iid == absolvedIid && car.CommitSha == absolved && (car.Stage is CarStage.FailurePending or CarStage.Batched || car.BisectionProbe) && car.PendingFastForwardSha == fastForward.ToSha),
                        $"{fastForward.ToSha} is built on {absolved}, which is not a failed car absolved by it nor batched with it");
                    baseSha = _commitBase.GetValueOrDefault(absolved);
                }

                Check(baseSha == fastForward.FromSha, $"{fastForward.ToSha} is not built on {fastForward.FromSha}");
                Check(_successfulShas.Contains(fastForward.ToSha), $"fast-forward to {fastForward.ToSha} whose pipeline did not pass");
                Check(_commitIid[fastForward.ToSha] == fastForward.Iid, "fast-forward to another MR's commit");
            }

            // No MR merges twice; every finished car has an outcome, and a reason when dropped.
            foreach (var car in decision.Finished)
            {
                Check(car.Status is CarStatus.Merged or CarStatus.SkipMerged || (car.Status == CarStatus.Dropped && car.DropReason is not null), $"!{car.Iid} finished as {car.Status} without a reason");
                Check(_expectedOnTrain.Remove(car.Iid), $"!{car.Iid} finished twice");
            }

            // Every added MR is on the train, merged, or dropped with a reason.
            foreach (var iid in _expectedOnTrain)
            {
                Check(state.FindCar(iid) is not null, $"!{iid} was forgotten");
            }

            Check(state.Cars.Count == _expectedOnTrain.Count, "a car is on the train that nobody added");
            CheckSetAside(before, trainEvent, decision);

            // Retries never exceed their limit: per car commit, and as counted on the car.
            foreach (var retry in decision.Effects.OfType<RetryPipeline>())
            {
                var count = _retries[(retry.Iid, retry.Generation)] = _retries.GetValueOrDefault((retry.Iid, retry.Generation)) + 1;
                Check(count <= _engine.Settings.FailedPipelineRetries, $"!{retry.Iid} retried {count} times, limit {_engine.Settings.FailedPipelineRetries}");
            }

            Check(state.Cars.All(car => car.Attempt <= _engine.Settings.FailedPipelineRetries), "a car spent more retries than allowed");
            Check(state.Cars.All(car => car.RetriedJobs.Count == 0 || car.Attempt > 0), "a car names retried jobs without a retry");

            // No more than MaxParallelPipelines car pipelines run (a bisecting car's is done: its probe runs instead).
            var live = state.Cars.Count(car => !car.Bisecting && car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.PipelinePassed or CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending);
            Check(live <= _engine.Settings.MaxParallelPipelines, $"{live} car pipelines > {_engine.Settings.MaxParallelPipelines}");

            // No pipeline result of an outdated car commit is trusted.
            if (trainEvent is PipelineStatusChanged changed && _pipelines[changed.PipelineId].IsCar)
            {
                var current = before.Cars.Any(car =>
                    (car.Pipeline?.Id == changed.PipelineId && car.CommitSha == changed.Sha && car.Stage is CarStage.PipelineRunning or CarStage.RetryingPipeline)
                    || (car.Stage == CarStage.StartingPipeline && car.CommitSha == changed.Sha && _engine.Settings.CarBranch("main", car.Iid) == changed.Ref));
                // Any event lets the train act on the room it now has (a CI budget spent by the decision before).
                var roomOnly = decision.Effects.All(effect => effect is CancelPipeline) && decision.Audit.All(record => record.Reason.StartsWith("waiting for room", StringComparison.Ordinal));
                Check(current || roomOnly, $"pipeline #{changed.PipelineId} of an outdated car commit changed the train");
            }

            // A pending failure is held only where on, and only as long as a car behind it may still report.
            Check(_engine.Settings.PendingFailureDepth > 0 || state.Cars.All(car => car.Stage != CarStage.FailurePending || car.FailureHeld || car.Bisecting), "a failure is pending with PendingFailureDepth 0");
            for (var i = 0; i < state.Cars.Count; i++)
            {
                // Held failures wait for the cars ahead; so does any pending one while a car ahead is still to be judged.
                var unjudgedAhead = state.Cars.Take(i).Any(car =>
                    car.Stage is CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending
                    || (car.Attempt > 0 && car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning));
                Check(!state.Cars[i].FailureHeld || unjudgedAhead || state.Cars[i].PendingFastForwardSha is not null, $"!{state.Cars[i].Iid}'s failure is held with every car ahead judged");
                if (state.Cars[i].SetAside is not null)
                {
                    // Judged by its search (see CheckSetAside).
                }
                else if (state.Cars[i] is { Bisecting: true, PendingFastForwardSha: null } && !unjudgedAhead)
                {
                    // A bisecting car waits only for the pipeline just ahead of it, a probe or the car ahead of its batch.
                    var ahead = state.Cars.Take(i).LastOrDefault(car => car.Stage != CarStage.Batched);
                    Check(ahead is not null && ahead.Stage != CarStage.PipelinePassed || PlacesAhead(state, i + 1) >= _engine.Settings.MinParallelPipelines, $"!{state.Cars[i].Iid} bisects its batch with nothing left to wait for");
                }
                else if (state.Cars[i] is { Stage: CarStage.FailurePending, PendingFastForwardSha: null, FailureHeld: false } && !unjudgedAhead)
                {
                    // Batched cars report through the pipeline that ends their batch.
                    // Up to the depth of cars behind, within the window counted in places (a bisecting car hands its own to its probe).
                    var behind = new List<Car>();
                    var places = PlacesAhead(state, i) + 1;
                    foreach (var car in state.Cars.Skip(i + 1).Where(car => car.Stage != CarStage.Batched))
                    {
                        if (behind.Count >= _engine.Settings.PendingFailureDepth || places >= _engine.Settings.MaxParallelPipelines)
                        {
                            break;
                        }

                        behind.Add(car);
                        places += TakesPlace(car) ? 1 : 0;
                    }

                    Check(behind.Count > 0 && behind.Any(car => car.Stage != CarStage.FailurePending), $"!{state.Cars[i].Iid}'s pending failure is settled but it was not dropped");
                }
            }

            if (trainEvent is BaseJobsListed && decision.Effects.OfType<PostNote>().Any(note => note.Body.Contains("the base is broken", StringComparison.Ordinal)))
            {
                Check(state.Paused, "a broken base did not pause the train");
                BrokenBases++;
            }

            // The adaptive window and the CI budget: no car beyond them starts a pipeline.
            var settings = _engine.Settings;
            var room = CiBudget.IsSpent(settings, before, _now)
                ? settings.MinParallelPipelines
                : PipelineWindow.Of(settings, state);
            Check(state.RunnerCapacity is null || (settings.WindowFollowsRunners && state.RunnerCapacity >= settings.MinParallelPipelines), "the runners' bound left its floor or is set where the window does not follow the runners");
            if (trainEvent is RunnerQueueReported)
            {
                // Only pipelines no runner has taken, as far as the train knows, are cancelled for the
                // runners: nothing it knows to be spent is thrown away.
                foreach (var cancel in decision.Effects.OfType<CancelPipeline>())
                {
                    var known = before.Cars.Single(car => car.Pipeline?.Id == cancel.PipelineId).Pipeline!.Status;
                    Check(known is PipelineStatus.Created or PipelineStatus.Pending, $"pipeline #{cancel.PipelineId} was {known} when the runners' bound cancelled it");
                    RunnerCancels++;
                }
            }

            var window = state.Window ?? settings.MaxParallelPipelines;
            Check(window >= settings.MinParallelPipelines && window <= settings.MaxParallelPipelines, "the window left its bounds");
            foreach (var start in decision.Effects.OfType<StartPipeline>())
            {
                var at = state.Cars.ToList().FindIndex(car => car.Iid == start.Iid);
                if (state.Cars[at].SetAside is { } aside)
                {
                    // A search's first probe takes its failed batch's place; more start only with room to spare.
                    var running = state.Cars.Count(car => car.SetAside?.Search == aside.Search && IsRunning(car));
                    Check(running == 1 || state.Cars.Count(car => TakesPlace(car) && IsRunning(car)) <= room, $"set-aside !{start.Iid} started one of {running} probes beyond the room of {room}");
                }
                else
                {
                    Check(PlacesAhead(state, at) < room || start.Attempt > 0, $"!{start.Iid} started a pipeline at position {at + 1}, beyond the room of {room}");
                }
            }

            // Kept cars: none at the front unless its failure is being judged, nothing built behind them, none merging.
            var firstKept = state.Cars.ToList().FindIndex(car => car.Stale);
            if (firstKept >= 0)
            {
                Check(_engine.Settings.SkipTrainAllowed, "a car was kept where the project does not allow keeping the train");
                Check(firstKept > 0 || state.Cars[0].Stage is CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending || state.Cars[0].Attempt > 0,
                    $"kept !{state.Cars[firstKept].Iid} is at the front and was not rebuilt");
                Check(state.Cars.Skip(firstKept).All(car => car.Stale || car.CommitSha is null || car.SetAside is not null), "a car was built behind a kept car");
                Check(state.Cars.All(car => !car.Stale || car.PendingFastForwardSha is null), "a kept car is being merged");
            }

            // Every car pipeline the train does not know any more was cancelled.
            Check(state.Cars.All(car => car.Stage != CarStage.Waiting || car.Pipeline is null), "a waiting car holds a pipeline");
        }

        /// <summary>A high-priority car goes right behind a high-priority or merging car, or the passed cars at the front (or first), and the cars ahead of it are not rebuilt.</summary>
        private void CheckPriorityPlacement(TrainState before, Decision decision, int iid)
        {
            var cars = decision.State.Cars.ToList();
            var index = cars.FindIndex(car => car.Iid == iid);
            Check(index >= 0 && cars[index].Priority == CarPriority.High, $"!{iid} added with high priority is not a high-priority car");
            var merging = cars[index].PendingFastForwardSha is not null || cars[index].MergeImmediately;

            // Right behind the last high-priority or merging car, or the passed cars at the front (a
            // normal car further ahead may once have been merging).
            var next = index > 0 ? cars[index - 1] : null;
            var passedFront = cars.Take(index).All(car => car.Stage == CarStage.PipelinePassed);
            Check(merging || next is null || passedFront || next.Priority == CarPriority.High || next.PendingFastForwardSha is not null || next.MergeImmediately,
                $"high-priority !{iid} is behind !{next?.Iid}, a normal car that has not started merging");
            Overtakes += index < cars.Count - 1 ? 1 : 0;
            // Cars ahead keep their commits and pipelines; only the room the train now has may hold some back
            // (a CI budget spent by the decision before).
            foreach (var ahead in cars.Take(index).Where(car => !decision.Audit.Any(record => record.Iid == car.Iid && record.Reason.StartsWith("waiting for room", StringComparison.Ordinal))))
            {
                var was = before.FindCar(ahead.Iid);
                Check(was is not null && was.Generation == ahead.Generation && was.CommitSha == ahead.CommitSha && was.Pipeline?.Id == ahead.Pipeline?.Id,
                    $"!{ahead.Iid}, ahead of high-priority !{iid}, was rebuilt");
                Check(decision.Effects.All(effect => effect is not (BuildCar or CancelPipeline or StartPipeline) || EffectIid(effect) != ahead.Iid),
                    $"!{ahead.Iid}, ahead of high-priority !{iid}, got a new build or pipeline");
            }
        }

        private static int EffectIid(TrainEffect effect) => effect switch
        {
            BuildCar build => build.Iid,
            CancelPipeline cancel => cancel.Iid,
            StartPipeline start => start.Iid,
            _ => 0,
        };

        private static void Check(bool condition, string message)
        {
            if (!condition)
            {
                throw new InvalidOperationException(message);
            }
        }
    }

    private sealed class ModelPipeline(long id, string sha, string @ref, bool isCar)
    {
        public long Id { get; } = id;

        public string Sha { get; } = sha;

        public string Ref { get; } = @ref;

        public bool IsCar { get; } = isCar;

        public PipelineStatus Status { get; set; } = PipelineStatus.Running;

        public IReadOnlyList<string> FailedJobs { get; set; } = [];
    }

    private sealed class ModelMr(int iid, string head)
    {
        public int Iid { get; } = iid;

        public string Head { get; set; } = head;

        public int Version { get; set; }

        public bool Draft { get; set; }

        public MergeRequestState State { get; set; } = MergeRequestState.Opened;
    }
}
