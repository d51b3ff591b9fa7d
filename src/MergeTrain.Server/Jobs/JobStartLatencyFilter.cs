using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using MergeTrain.Application.Diagnostics;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// Feeds <c>mergetrain_job_start_latency_seconds</c>: from the moment a job was due (created, or
/// its scheduled time) to a worker starting it. The due time travels as a job parameter written
/// with the job itself, so measuring costs no extra statement. Retries are left out: their wait is
/// the back-off, not latency.
/// </summary>
public sealed class JobStartLatencyFilter(TimeProvider clock) : JobFilterAttribute, IClientFilter, IServerFilter
{
    private const string DueAt = "MergeTrainDueAt";

    /// <inheritdoc/>
    public void OnCreating(CreatingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var due = context.InitialState is ScheduledState scheduled ? new DateTimeOffset(scheduled.EnqueueAt, TimeSpan.Zero) : clock.GetUtcNow();
        context.SetJobParameter(DueAt, due.ToUnixTimeMilliseconds());
    }

    /// <inheritdoc/>
    public void OnCreated(CreatedContext context)
    {
    }

    /// <inheritdoc/>
    public void OnPerforming(PerformingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetJobParameter<int>("RetryCount", allowStale: true) > 0)
        {
            return;
        }

        var due = context.GetJobParameter<long?>(DueAt, allowStale: true);
        if (due is { } milliseconds)
        {
            var waited = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            var job = context.BackgroundJob.Job;
            MergeTrainMetrics.JobStartLatency.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("job", $"{job.Type.Name}.{job.Method.Name}"));
        }
    }

    /// <inheritdoc/>
    public void OnPerformed(PerformedContext context)
    {
    }
}
