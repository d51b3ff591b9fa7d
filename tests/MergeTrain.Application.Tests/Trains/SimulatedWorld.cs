using System.Collections.Concurrent;
using MergeTrain.Core.Trains;

namespace MergeTrain.Application.Tests.Trains;

/// <summary>
/// Git and GitLab as the train processor sees them through <see cref="ITrainEffectExecutor"/>:
/// car commits named after what they merge, pipelines numbered as GitLab would, a target branch
/// that moves only by compare-and-swap. It keeps a ledger of every side effect, so the tests can
/// count what really happened outside, and it can "crash" right after an effect's side effect.
/// The processor's own parts (PostgreSQL, the job queue) are all real.
/// </summary>
internal sealed class SimulatedWorld : ITrainEffectExecutor
{
    private long _nextPipelineId = 1000;
    private int _inFlight;

    /// <summary>Side effects by effect key, in the order they happened.</summary>
    public ConcurrentQueue<(long ProjectId, string Key, TrainEffect Effect)> Ledger { get; } = new();

    /// <summary>Pipelines started, by project and car commit: more than one for a commit is a duplicate.</summary>
    public ConcurrentDictionary<string, ConcurrentBag<long>> PipelinesByCommit { get; } = new();

    /// <summary>The target branch of each project.</summary>
    public ConcurrentDictionary<long, string> Targets { get; } = new();

    /// <summary>Effects that were told they may repeat an earlier attempt.</summary>
    public ConcurrentBag<string> Repeats { get; } = [];

    /// <summary>Start and end of every execution, per project, for the overlap check.</summary>
    public ConcurrentQueue<(long ProjectId, long Start, long End)> Executions { get; } = new();

    /// <summary>Effect keys after whose side effect the executor throws once, as a crash would.</summary>
    public ConcurrentDictionary<string, bool> CrashAfter { get; } = new();

    public int MaxConcurrent { get; private set; }

    public async Task<IReadOnlyList<TrainEvent>> ExecuteAsync(TrainState train, TrainEffect effect, EffectAttempt attempt, CancellationToken cancellationToken)
    {
        var concurrent = Interlocked.Increment(ref _inFlight);
        MaxConcurrent = Math.Max(MaxConcurrent, concurrent);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (attempt.MayBeRepeat)
            {
                Repeats.Add(effect.Key);
            }

            // Slow enough that overlapping executions of one train would be seen.
            await Task.Delay(2, cancellationToken);
            var results = Perform(train, effect, attempt);
            if (CrashAfter.TryRemove(effect.Key, out _))
            {
                throw new IOException($"simulated crash after {effect.Key}");
            }

            return results;
        }
        finally
        {
            Executions.Enqueue((train.ProjectId, start, System.Diagnostics.Stopwatch.GetTimestamp()));
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private List<TrainEvent> Perform(TrainState train, TrainEffect effect, EffectAttempt attempt)
    {
        switch (effect)
        {
            case BuildCar build:
                Record(train, effect);
                return [new CarBuilt(build.Iid, build.Generation, build.BaseSha, $"merge({build.BaseSha},{build.HeadSha})")];
            case PublishCar publish:
                Record(train, effect);
                return [new CarPublished(publish.Iid, publish.Generation, publish.CommitSha)];
            case StartPipeline start:
                // GitLab has no idempotency key: a repeat looks for the pipeline it may have made.
                var existing = PipelinesByCommit.GetOrAdd($"{train.ProjectId}:{start.Sha}", _ => []);
                if (attempt.MayBeRepeat && Ledger.Any(entry => entry.ProjectId == train.ProjectId && entry.Key == start.Key))
                {
                    return [new PipelineCreated(start.Iid, start.Generation, start.Attempt, existing.Max(), null)];
                }

                var id = Interlocked.Increment(ref _nextPipelineId);
                existing.Add(id);
                Record(train, effect);
                return [new PipelineCreated(start.Iid, start.Generation, start.Attempt, id, null)];
            case FastForwardTarget forward:
                var target = Targets.GetOrAdd(train.ProjectId, forward.FromSha);
                if (target == forward.ToSha)
                {
                    return [new FastForwardSucceeded(forward.Iid, forward.FromSha, forward.ToSha)];
                }

                if (target != forward.FromSha)
                {
                    return [new FastForwardRejected(forward.Iid, forward.ToSha, target)];
                }

                Targets[train.ProjectId] = forward.ToSha;
                Record(train, effect);
                return [new FastForwardSucceeded(forward.Iid, forward.FromSha, forward.ToSha)];
            default:
                Record(train, effect);
                return [];
        }
    }

    private void Record(TrainState train, TrainEffect effect) => Ledger.Enqueue((train.ProjectId, effect.Key, effect));
}
