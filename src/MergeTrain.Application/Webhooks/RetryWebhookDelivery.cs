using System.Net;
using MediatR;
using MergeTrain.Application.Database;
using MergeTrain.Application.Mediation;
using MergeTrain.Application.Trains.Commands;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Application.Webhooks;

/// <summary>
/// Process a delivery that failed once more (the dashboard's Retry on the Webhooks page): it goes
/// back in its project's line and the project's drain is requested, as when a delivery arrives.
/// </summary>
public sealed record RetryWebhookDelivery(long Id, string Actor) : IRequest<TrainCommandResult>;

/// <summary>Handles <see cref="RetryWebhookDelivery"/>.</summary>
public sealed partial class RetryWebhookDeliveryHandler(DatabaseReadiness readiness, IWorkScheduler scheduler, TimeProvider clock, ILogger<RetryWebhookDeliveryHandler> logger)
    : IRequestHandler<RetryWebhookDelivery, TrainCommandResult>
{
    /// <inheritdoc/>
    public async Task<TrainCommandResult> Handle(RetryWebhookDelivery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // The delivery back in line and its drain request commit together: the sweeper finds a
        // request whose job was never enqueued, but not a pending delivery without a request
        // before its own delay.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await WebhookDeliveryStore.RetryFailedAsync(connection, transaction, request.Id, request.Actor, cancellationToken) is not { } projectId)
        {
            return TrainCommandResult.Error((int)HttpStatusCode.NotFound, $"Delivery {request.Id} is not a failed delivery.");
        }

        var drain = WorkRequest.DrainWebhooks(projectId);
        var created = await WorkRequestStore.RequestAsync(connection, transaction, drain, clock.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (created)
        {
            scheduler.Enqueue(drain);
        }

        Retried(request.Id, projectId, request.Actor);
        return TrainCommandResult.Ok((int)HttpStatusCode.Accepted, new { });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {Id} of project {ProjectId} retried by {Actor}")]
    private partial void Retried(long id, long projectId, string actor);
}
