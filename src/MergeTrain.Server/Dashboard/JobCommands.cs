using MediatR;
using MergeTrain.Postgres.Jobs;
using MergeTrain.Server.Mediation;

namespace MergeTrain.Server.Dashboard;

/// <summary>What an operator does to a job from the dashboard.</summary>
public enum JobAction
{
    /// <summary>Run it again now (Hangfire's Requeue).</summary>
    Requeue,

    /// <summary>Cancel it (Hangfire's Delete).</summary>
    Delete,
}

/// <summary>Requeue or delete a job (admin).</summary>
public sealed record ChangeJob(long JobId, JobAction Action) : IRequest<bool>;

/// <summary>Handles <see cref="ChangeJob"/>; false when the job is not in a state that allows it.</summary>
public sealed class ChangeJobHandler(DbSession session, TimeProvider clock) : IRequestHandler<ChangeJob, bool>
{
    /// <inheritdoc/>
    public async Task<bool> Handle(ChangeJob request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (connection, _) = await session.OpenAsync(cancellationToken);
        return request.Action == JobAction.Requeue
            ? await JobStore.RequeueAsync(connection, request.JobId, clock.GetUtcNow(), cancellationToken)
            : await JobStore.CancelAsync(connection, request.JobId, clock.GetUtcNow(), cancellationToken);
    }
}
