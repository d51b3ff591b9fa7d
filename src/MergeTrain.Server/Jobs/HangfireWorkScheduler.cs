using Hangfire;
using MergeTrain.Postgres.Work;

namespace MergeTrain.Server.Jobs;

/// <summary>Starts the Hangfire job of each kind of work request: the one place a kind meets its job.</summary>
public sealed class HangfireWorkScheduler(IBackgroundJobClient jobs) : IWorkScheduler
{
    /// <inheritdoc/>
    public void Enqueue(WorkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = request.Kind switch
        {
            WorkRequest.RefreshTrainKind => jobs.Enqueue<TrainJobs>(j => j.Refresh(request.Key, CancellationToken.None)),
            WorkRequest.DrainWebhooksKind => jobs.Enqueue<WebhookJobs>(j => j.Drain(request.Key, CancellationToken.None)),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Unknown work kind."),
        };
    }

    /// <inheritdoc/>
    public void Schedule(WorkRequest request, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind != WorkRequest.RefreshTrainKind)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Only trains have timers.");
        }

        jobs.Schedule<TrainJobs>(j => j.Timer(request.Key, CancellationToken.None), at);
    }
}
