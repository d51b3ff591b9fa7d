using System.Collections.Concurrent;
using MergeTrain.FakeGitLab.Ci;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// Runs pipelines the way a GitLab runner would, but in-process: <c>created</c>, then <c>running</c>,
/// then after <see cref="PipelineDuration"/> <c>success</c> or <c>failed</c> as decided by
/// <see cref="LintCheck"/> on the pipeline's commit, unless a test forced a result or holds the pipeline.
/// </summary>
public sealed class CiSimulator
{
    private readonly GitLabStore _store;
    private readonly Func<ProjectEntry, FakePipeline, Task> _announce;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string?>> _held = new();
    private readonly Lock _gate = new();
    private readonly List<ForcedResult> _forced = [];
    private long _durationTicks;

    internal CiSimulator(
        GitLabStore store, Func<ProjectEntry, FakePipeline, Task> announce, TimeProvider timeProvider, TimeSpan duration, CancellationToken stopping)
    {
        _store = store;
        _announce = announce;
        _timeProvider = timeProvider;
        _stopping = stopping;
        PipelineDuration = duration;
    }

    /// <summary>How long a pipeline stays <c>running</c> before it finishes.</summary>
    public TimeSpan PipelineDuration
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _durationTicks));
        set => Interlocked.Exchange(ref _durationTicks, value.Ticks);
    }

    /// <summary>
    /// When true, pipelines created from now on stay <c>running</c> until <see cref="Release"/> or
    /// <see cref="ReleaseAll"/> lets them finish.
    /// </summary>
    public bool HoldPipelines { get; set; }

    /// <summary>Pipelines currently held.</summary>
    public IReadOnlyCollection<long> HeldPipelineIds => [.. _held.Keys.Order()];

    /// <summary>
    /// Lets a held pipeline finish; with <paramref name="status"/> (<c>success</c> or <c>failed</c>) it
    /// finishes with that result instead of the lint check's. Returns false when it was not held.
    /// </summary>
    public bool Release(long pipelineId, string? status = null)
    {
        if (status is not null && status is not PipelineStatuses.Success and not PipelineStatuses.Failed)
        {
            throw new ArgumentException("A pipeline finishes with success or failed.", nameof(status));
        }

        return _held.TryRemove(pipelineId, out var hold) && hold.TrySetResult(status);
    }

    public void ReleaseAll()
    {
        foreach (var id in _held.Keys)
        {
            Release(id);
        }
    }

    /// <summary>
    /// The next <paramref name="times"/> pipelines on a commit or branch equal to <paramref name="shaOrRef"/>
    /// finish with <paramref name="status"/> whatever their content (a flaky or broken runner).
    /// </summary>
    public void ForceResult(string shaOrRef, string status, int times = int.MaxValue)
    {
        if (status is not PipelineStatuses.Success and not PipelineStatuses.Failed)
        {
            throw new ArgumentException("A pipeline finishes with success or failed.", nameof(status));
        }

        lock (_gate)
        {
            _forced.Add(new ForcedResult(shaOrRef, status, times));
        }
    }

    public void ClearForcedResults()
    {
        lock (_gate)
        {
            _forced.Clear();
        }
    }

    internal void Start(ProjectEntry entry, FakePipeline pipeline)
    {
        TaskCompletionSource<string?>? hold = null;
        if (HoldPipelines)
        {
            hold = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _held[pipeline.Id] = hold;
        }

        _ = Task.Run(() => RunAsync(entry, pipeline.Id, hold), CancellationToken.None);
    }

    /// <summary>Cancels a pipeline that has not finished; returns the pipeline as it now is.</summary>
    internal async Task<FakePipeline?> CancelAsync(ProjectEntry entry, long pipelineId)
    {
        var now = _timeProvider.GetUtcNow();
        var canceled = _store.UpdateRunningPipeline(pipelineId, p => p with
        {
            Status = PipelineStatuses.Canceled,
            StartedAt = p.StartedAt ?? now,
            FinishedAt = now,
            UpdatedAt = now,
            Log = "canceled",
        });
        if (canceled is null)
        {
            return _store.FindPipeline(pipelineId);
        }

        if (_held.TryRemove(pipelineId, out var hold))
        {
            hold.TrySetResult(null);
        }

        await _announce(entry, canceled);

        return canceled;
    }

    private async Task RunAsync(ProjectEntry entry, long pipelineId, TaskCompletionSource<string?>? hold)
    {
        try
        {
            // A runner picks the pipeline up shortly after it is created.
            await Task.Delay(TimeSpan.FromMilliseconds(10), _timeProvider, _stopping);
            var started = _timeProvider.GetUtcNow();
            var running = _store.UpdateRunningPipeline(pipelineId, p => p with { Status = PipelineStatuses.Running, StartedAt = started, UpdatedAt = started });
            if (running is null)
            {
                return;
            }

            await _announce(entry, running);
            await Task.Delay(PipelineDuration, _timeProvider, _stopping);
            var released = hold is null ? null : await hold.Task.WaitAsync(_stopping);
            var (status, log) = released is not null
                ? (released, "released by the test with " + released)
                : await DecideAsync(entry, running);
            var finishedAt = _timeProvider.GetUtcNow();
            var finished = _store.UpdateRunningPipeline(pipelineId, p => p with { Status = status, FinishedAt = finishedAt, UpdatedAt = finishedAt, Log = log });
            if (finished is not null)
            {
                await _announce(entry, finished);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The fake is shutting down.
        }
    }

    private async Task<(string Status, string Log)> DecideAsync(ProjectEntry entry, FakePipeline pipeline)
    {
        lock (_gate)
        {
            var index = _forced.FindIndex(f => f.ShaOrRef == pipeline.Sha || f.ShaOrRef == pipeline.Ref);
            if (index >= 0)
            {
                var forced = _forced[index];
                if (forced.Times <= 1)
                {
                    _forced.RemoveAt(index);
                }
                else
                {
                    _forced[index] = forced with { Times = forced.Times - 1 };
                }

                return (forced.Status, "forced " + forced.Status + " by the test");
            }
        }

        try
        {
            var violation = await LintCheck.FindViolationAsync(entry.Repository, pipeline.Sha, _stopping);

            return violation is null ? (PipelineStatuses.Success, "lint: passed") : (PipelineStatuses.Failed, violation);
        }
        catch (InvalidOperationException exception)
        {
            return (PipelineStatuses.Failed, "runner error: " + exception.Message);
        }
    }

    private sealed record ForcedResult(string ShaOrRef, string Status, int Times);
}
