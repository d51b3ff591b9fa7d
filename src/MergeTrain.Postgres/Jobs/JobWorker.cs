using System.Collections.Concurrent;
using System.Diagnostics;
using MergeTrain.Postgres.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// Takes jobs of one queue and runs them with their handlers, up to
/// <see cref="JobServerOptions.Concurrency"/> at once: woken by NOTIFY, polling as a fallback.
/// </summary>
internal sealed class JobWorker
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Dictionary<string, IJobHandler> _handlers;
    private readonly JobServerOptions _options;
    private readonly string _serverId;
    private readonly TimeProvider _clock;
    private readonly RetryPolicy _retries;
    private readonly ILogger _logger;
    private readonly WakeSignal _wake = new();
    private readonly JobCompleter _completer;
    private readonly ConcurrentDictionary<long, Task> _running = new();

    public JobWorker(
        NpgsqlDataSource dataSource,
        IEnumerable<IJobHandler> handlers,
        JobServerOptions options,
        string serverId,
        TimeProvider clock,
        RetryPolicy retries,
        ILogger logger)
    {
        _dataSource = dataSource;
        _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
        _options = options;
        _serverId = serverId;
        _clock = clock;
        _retries = retries;
        _logger = logger;
        _completer = new JobCompleter(dataSource, clock, logger);
    }

    /// <summary>Called with each job as it starts (the benchmark measures start latency with it).</summary>
    public Action<Job>? OnJobStarted { get; init; }

    /// <summary>Completes when the worker is listening for notifications (at once when it does not listen).</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var completer = _completer.RunAsync();
        using var jobsCancellation = new CancellationTokenSource();
        Task listener;
        if (_options.ListenForNotifications)
        {
            listener = new JobNotificationListener(_dataSource, _options.Queue, _wake, _logger).RunAsync(Listening, stoppingToken);
        }
        else
        {
            Listening.TrySetResult();
            listener = Task.CompletedTask;
        }

        try
        {
            await FetchLoopAsync(jobsCancellation.Token, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        // Graceful shutdown: no new jobs; running ones get the grace period, then their token fires.
        var running = _running.Values.ToArray();
        if (running.Length > 0)
        {
            _logger.LogInformation("Waiting up to {Grace} for {Count} running job(s)", _options.ShutdownGrace, running.Length);
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace, _clock, CancellationToken.None)) != all)
            {
                await jobsCancellation.CancelAsync();
                await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _completer.Close();
        await completer;
        await listener;
    }

    private async Task FetchLoopAsync(CancellationToken jobsToken, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = _options.Concurrency - _running.Count;
            var fetched = 0;
            if (free > 0)
            {
                fetched = await FetchAndStartAsync(free, jobsToken, stoppingToken);
            }

            // A full batch means more may be waiting: go again at once. Otherwise sleep until a
            // NOTIFY, a finished job (a free slot) or the poll interval.
            if (free == 0 || fetched < free)
            {
                await _wake.WaitAsync(_options.PollInterval, _clock, stoppingToken);
            }
        }
    }

    private async Task<int> FetchAndStartAsync(int limit, CancellationToken jobsToken, CancellationToken stoppingToken)
    {
        IReadOnlyList<Job> jobs;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(stoppingToken);
            jobs = await JobStore.FetchAsync(connection, _options.Queue, _serverId, limit, _clock.GetUtcNow(), stoppingToken);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
        {
            _logger.LogWarning("Fetching jobs failed ({Reason}); trying again at the next poll", error.Message);
            return 0;
        }

        foreach (var job in jobs)
        {
            // Registered before it starts: a job that finishes at once must still find its entry to remove.
            var start = new Task<Task>(() => ExecuteAsync(job, jobsToken));
            _running[job.Id] = start.Unwrap();
            start.Start(TaskScheduler.Default);
        }

        return jobs.Count;
    }

    private async Task ExecuteAsync(Job job, CancellationToken jobsToken)
    {
        try
        {
            OnJobStarted?.Invoke(job);
            var due = job.ScheduledAt > job.CreatedAt ? job.ScheduledAt : job.CreatedAt;
            MergeTrainMetrics.JobStartLatency.Record(Math.Max(0, (_clock.GetUtcNow() - due).TotalSeconds), new KeyValuePair<string, object?>("kind", job.Kind));
            if (!_handlers.TryGetValue(job.Kind, out var handler))
            {
                await FailAsync(job, $"no handler for job kind '{job.Kind}'", discard: true);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            await handler.HandleAsync(job, jobsToken);
            _completer.Add(job);
            _logger.LogDebug("Job {JobId} ({Kind}) attempt {Attempt} succeeded in {ElapsedMs:F1} ms",
                job.Id, job.Kind, job.Attempt, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (PermanentJobFailureException error)
        {
            await FailAsync(job, error.ToString(), discard: true);
        }
        catch (OperationCanceledException) when (jobsToken.IsCancellationRequested)
        {
            await FailAsync(job, "interrupted: the server shut down while the job was running", discard: false, retryNow: true);
        }
        catch (Exception error)
        {
            await FailAsync(job, error.ToString(), discard: false);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            _wake.Set();
        }
    }

    private async Task FailAsync(Job job, string error, bool discard, bool retryNow = false)
    {
        var now = _clock.GetUtcNow();
        var retryAt = retryNow ? now : now + _retries.Delay(job.Attempt);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            var state = await JobStore.FailAsync(connection, job.Id, job.Attempt, error, retryAt, discard, now, CancellationToken.None);
            _logger.LogWarning("Job {JobId} ({Kind}) attempt {Attempt} failed, now {State}: {Error}",
                job.Id, job.Kind, job.Attempt, state?.ToDatabase() ?? "no longer ours", FirstLine(error));
        }
        catch (NpgsqlException failure)
        {
            // The job stays running until rescued; its error is in this log.
            _logger.LogError(failure, "Could not record the failure of job {JobId}: {Error}", job.Id, FirstLine(error));
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}
