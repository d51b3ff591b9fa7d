using MediatR;
using MergeTrain.Postgres.Jobs;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Server.Database;
using MergeTrain.Server.Mediation;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// Store an authenticated, well-formed delivery durably and queue its processing: the endpoint
/// answers 202 once both are done. A redelivery is recorded as a duplicate and not queued.
/// </summary>
/// <remarks>
/// The two writes are separate statements, not one transaction: every delivery of a project
/// touches the same pending drain job, and holding its row lock until a commit made concurrent
/// deliveries queue behind each other. A crash between the two leaves a stored delivery without a
/// job; <see cref="WebhookSweeper"/> finds it.
/// </remarks>
public sealed record ReceiveWebhook(WebhookDelivery Delivery) : IRequest<WebhookOutcome>;

/// <summary>Handles <see cref="ReceiveWebhook"/>.</summary>
public sealed class ReceiveWebhookHandler(DatabaseReadiness readiness, TimeProvider clock) : IRequestHandler<ReceiveWebhook, WebhookOutcome>
{
    /// <inheritdoc/>
    public async Task<WebhookOutcome> Handle(ReceiveWebhook request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var (_, outcome) = await WebhookDeliveryStore.RecordAsync(connection, null, request.Delivery, now, cancellationToken);
        if (outcome == WebhookOutcome.Accepted)
        {
            await JobStore.EnqueueAsync(connection, null, WebhookProcessor.Job(request.Delivery.ProjectId!.Value), now, cancellationToken);
        }

        return outcome;
    }
}
