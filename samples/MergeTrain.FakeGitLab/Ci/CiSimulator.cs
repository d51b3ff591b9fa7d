using System.Collections.Concurrent;
using System.Globalization;
using MergeTrain.FakeGitLab.Ci;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// Runs pipelines the way a GitLab runner would, but in-process: <c>created</c>, then <c>running</c>,
/// then after <see cref="PipelineDuration"/> <c>success</c> or <c>failed</c>, unless a test forced a
/// result or holds the pipeline. A pipeline runs the jobs named in <see cref="JobNames"/>: the
/// <c>lint</c> job is decided by <see cref="LintCheck"/> on the pipeline's commit, the others pass
/// unless a test made them fail (<see cref="FailJob"/>: once for a flaky job, always for a broken one).
/// A retry (<see cref="RetryAsync"/>) runs the failed and cancelled jobs again, as GitLab's does.
/// </summary>
public sealed class CiSimulator
{
    /// <summary>The job whose result the lint check on the commit decides.</summary>
    public const string LintJob = "lint";

    private readonly GitLabStore _store;
    private readonly Func<ProjectEntry, FakePipeline, Task> _announce;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string?>> _held = new();
    private readonly Lock _gate = new();
    private readonly List<ForcedResult> _forced = [];
    private readonly List<ForcedResult> _failingJobs = [];
    private volatile IReadOnlyList<string> _jobNames = [LintJob];
    private volatile IReadOnlySet<string> _pushPipelineBranches = new HashSet<string>(StringComparer.Ordinal);
    private long _durationTicks;
    private readonly Queue<TaskCompletionSource> _waitingForRunner = new();
    private int? _runners;
    private int _busyRunners;

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
    /// How many pipelines the project's runners run at once; the others are <c>pending</c>, their jobs
    /// waiting for a runner, about in the order they came. Null, the default, runs every pipeline at once.
    /// </summary>
    public int? Runners
    {
        get { lock (_gate) { return _runners; } }
        set
        {
            lock (_gate)
            {
                _runners = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one runner.");
                while (_waitingForRunner.TryDequeue(out var waiting))
                {
                    waiting.TrySetResult();
                }
            }
        }
    }

    /// <summary>The jobs of pipelines created from now on (default: only <c>lint</c>).</summary>
    public IReadOnlyList<string> JobNames
    {
        get => _jobNames;
        set => _jobNames = value is { Count: > 0 } ? [.. value] : throw new ArgumentException("A pipeline has at least one job.", nameof(value));
    }

    /// <summary>
    /// The branches whose pushes start a pipeline (source <c>push</c>, by the pusher), as the
    /// <c>workflow: rules</c> of a project's <c>.gitlab-ci.yml</c> decide in GitLab; e.g. the default
    /// branch, so that its head has a pipeline of its own. Default: none, only API pipelines run.
    /// </summary>
    public IReadOnlySet<string> PushPipelineBranches
    {
        get => _pushPipelineBranches;
        set => _pushPipelineBranches = new HashSet<string>(value ?? throw new ArgumentNullException(nameof(value)), StringComparer.Ordinal);
    }

    /// <summary>
    /// The next <paramref name="times"/> runs of job <paramref name="jobName"/> in pipelines on a commit or
    /// branch equal to <paramref name="shaOrRef"/> fail: 1 makes it flaky (it passes on a retry), the
    /// default makes it fail every time.
    /// </summary>
    public void FailJob(string shaOrRef, string jobName, int times = int.MaxValue)
    {
        lock (_gate)
        {
            _failingJobs.Add(new ForcedResult(shaOrRef + "\n" + jobName, PipelineStatuses.Failed, times));
        }
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
            _failingJobs.Clear();
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

    /// <summary>
    /// GitLab's <c>POST /pipelines/:id/retry</c>: new jobs for the failed and cancelled ones, which run
    /// as a pipeline would (held again while <see cref="HoldPipelines"/>); null when there is no such pipeline.
    /// </summary>
    internal async Task<FakePipeline?> RetryAsync(ProjectEntry entry, long pipelineId)
    {
        if (_store.RetryPipeline(pipelineId, _timeProvider.GetUtcNow()) is not { } outcome)
        {
            return null;
        }

        var (pipeline, retried) = outcome;

        if (retried)
        {
            await _announce(entry, pipeline);
            Start(entry, pipeline);
        }

        return pipeline;
    }

    /// <summary>
    /// Starts cancelling a held pipeline the way GitLab does while the cancelled jobs' <c>after_script</c>
    /// still runs: the pipeline and its unfinished jobs turn <c>canceling</c>, a hook says so, and they
    /// stay so until <see cref="FinishCancelingAsync"/>. False when the pipeline is not held.
    /// </summary>
    public async Task<bool> BeginCancelingAsync(long pipelineId)
    {
        if (!_held.ContainsKey(pipelineId) || EntryOf(pipelineId) is not { } entry)
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var canceling = _store.UpdateRunningPipeline(pipelineId, p => p with
        {
            Status = PipelineStatuses.Canceling,
            Jobs = [.. p.Jobs.Select(job => job.IsFinished ? job : job with { Status = PipelineStatuses.Canceling })],
            UpdatedAt = now,
        });
        if (canceling is null)
        {
            return false;
        }

        await _announce(entry, canceling);
        return true;
    }

    /// <summary>
    /// Ends what <see cref="BeginCancelingAsync"/> began: the pipeline is <c>canceled</c> (announced
    /// as any change is). False when the pipeline is not canceling.
    /// </summary>
    public async Task<bool> FinishCancelingAsync(long pipelineId)
    {
        if (_store.FindPipeline(pipelineId) is not { Status: PipelineStatuses.Canceling } || EntryOf(pipelineId) is not { } entry)
        {
            return false;
        }

        return (await CancelAsync(entry, pipelineId))?.Status == PipelineStatuses.Canceled;
    }

    /// <summary>Cancels a pipeline that has not finished; returns the pipeline as it now is.</summary>
    internal async Task<FakePipeline?> CancelAsync(ProjectEntry entry, long pipelineId)
    {
        var now = _timeProvider.GetUtcNow();
        var canceled = _store.UpdateRunningPipeline(pipelineId, p => p with
        {
            Status = PipelineStatuses.Canceled,
            Jobs = [.. p.Jobs.Select(job => job.IsFinished ? job : job with { Status = PipelineStatuses.Canceled, FinishedAt = now })],
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

    private ProjectEntry? EntryOf(long pipelineId) =>
        _store.FindPipeline(pipelineId) is { } pipeline ? _store.FindProject(pipeline.ProjectId.ToString(CultureInfo.InvariantCulture)) : null;

    private async Task RunAsync(ProjectEntry entry, long pipelineId, TaskCompletionSource<string?>? hold)
    {
        var tookRunner = false;
        try
        {
            // A runner picks the pipeline up shortly after it is created, when one is free.
            await Task.Delay(TimeSpan.FromMilliseconds(10), _timeProvider, _stopping);
            if (!await TakeRunnerAsync(entry, pipelineId))
            {
                return;
            }

            tookRunner = true;
            var started = _timeProvider.GetUtcNow();
            var running = _store.UpdateRunningPipeline(pipelineId, p => p with
            {
                Status = PipelineStatuses.Running,
                Jobs = [.. p.Jobs.Select(job => job.IsFinished ? job : job with { Status = PipelineStatuses.Running, StartedAt = started })],
                StartedAt = p.StartedAt ?? started,
                UpdatedAt = started,
            });
            if (running is null)
            {
                return;
            }

            await _announce(entry, running);
            await Task.Delay(PipelineDuration, _timeProvider, _stopping);
            var released = hold is null ? null : await hold.Task.WaitAsync(_stopping);
            var (results, log) = released is not null
                ? (running.Jobs.Where(job => !job.IsFinished).ToDictionary(job => job.Id, _ => released), "released by the test with " + released)
                : await DecideAsync(entry, running);
            var finishedAt = _timeProvider.GetUtcNow();
            var finished = _store.UpdateRunningPipeline(pipelineId, p =>
            {
                var jobs = p.Jobs.Select(job => results.TryGetValue(job.Id, out var result) ? job with { Status = result, FinishedAt = finishedAt } : job).ToList();
                var failed = jobs.Any(job => !job.Retried && job.Status == PipelineStatuses.Failed);
                return p with { Status = failed ? PipelineStatuses.Failed : PipelineStatuses.Success, Jobs = jobs, FinishedAt = finishedAt, UpdatedAt = finishedAt, Log = log };
            });
            if (finished is not null)
            {
                await _announce(entry, finished);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The fake is shutting down.
        }
        finally
        {
            if (tookRunner)
            {
                lock (_gate)
                {
                    _busyRunners--;
                    WakeWaitingRunners();
                }
            }
        }
    }

    /// <summary>
    /// Waits for a free runner; while none is, the pipeline and its jobs are <c>pending</c> (and a hook
    /// says so). False when the pipeline finished meanwhile (cancelled): it needs no runner.
    /// </summary>
    private async Task<bool> TakeRunnerAsync(ProjectEntry entry, long pipelineId)
    {
        var announced = false;
        while (true)
        {
            TaskCompletionSource freed;
            lock (_gate)
            {
                if (_store.FindPipeline(pipelineId) is not { IsFinished: false })
                {
                    // Cancelled while it waited: the runner it was woken for goes to the next one.
                    WakeWaitingRunners();
                    return false;
                }

                if (_runners is null || _busyRunners < _runners)
                {
                    _busyRunners++;
                    return true;
                }

                freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waitingForRunner.Enqueue(freed);
            }

            if (!announced)
            {
                announced = true;
                var now = _timeProvider.GetUtcNow();
                if (_store.UpdateRunningPipeline(pipelineId, p => p with
                    {
                        Status = PipelineStatuses.Pending,
                        Jobs = [.. p.Jobs.Select(job => job.IsFinished ? job : job with { Status = PipelineStatuses.Pending })],
                        UpdatedAt = now,
                    }) is { } pending)
                {
                    await _announce(entry, pending);
                }
            }

            await freed.Task.WaitAsync(_stopping);
        }
    }

    /// <summary>Lets the pipeline that has waited longest look again for a free runner (under <see cref="_gate"/>).</summary>
    private void WakeWaitingRunners()
    {
        if (_waitingForRunner.TryDequeue(out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>The result of every job still to run, by job id, and the log line explaining them.</summary>
    private async Task<(Dictionary<long, string> Results, string Log)> DecideAsync(ProjectEntry entry, FakePipeline pipeline)
    {
        var toRun = pipeline.Jobs.Where(job => !job.IsFinished).ToList();
        if (TakeForced(_forced, pipeline.Sha, pipeline.Ref) is { } forced)
        {
            return (toRun.ToDictionary(job => job.Id, _ => forced), "forced " + forced + " by the test");
        }

        var results = new Dictionary<long, string>();
        var log = new List<string>();
        foreach (var job in toRun)
        {
            if (TakeForced(_failingJobs, pipeline.Sha + "\n" + job.Name, pipeline.Ref + "\n" + job.Name) is { } failed)
            {
                results[job.Id] = failed;
                log.Add($"{job.Name}: failed by the test");
                continue;
            }

            var (status, line) = job.Name == LintJob ? await LintAsync(entry, pipeline) : (PipelineStatuses.Success, $"{job.Name}: passed");
            results[job.Id] = status;
            log.Add(line);
        }

        return (results, string.Join("; ", log));
    }

    /// <summary>Consumes one use of the first forced result matching either key.</summary>
    private string? TakeForced(List<ForcedResult> forcedResults, string sha, string gitRef)
    {
        lock (_gate)
        {
            var index = forcedResults.FindIndex(f => f.ShaOrRef == sha || f.ShaOrRef == gitRef);
            if (index < 0)
            {
                return null;
            }

            var forced = forcedResults[index];
            if (forced.Times <= 1)
            {
                forcedResults.RemoveAt(index);
            }
            else
            {
                forcedResults[index] = forced with { Times = forced.Times - 1 };
            }

            return forced.Status;
        }
    }

    private async Task<(string Status, string Log)> LintAsync(ProjectEntry entry, FakePipeline pipeline)
    {
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
