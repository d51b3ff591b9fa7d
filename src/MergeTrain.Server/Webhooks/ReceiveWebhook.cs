using MediatR;
using MergeTrain.Postgres.Jobs;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Server.Mediation;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// Store an authenticated, well-formed delivery durably and queue its processing: the endpoint
/// answers 202 as soon as this commits. A redelivery is recorded as a duplicate and not queued.
/// </summary>
public sealed record ReceiveWebhook(WebhookDelivery Delivery) : IRequest<WebhookOutcome>;

/// <summary>Handles <see cref="ReceiveWebhook"/>.</summary>
public sealed class ReceiveWebhookHandler(DbSession session, TimeProvider clock) : IRequestHandler<ReceiveWebhook, WebhookOutcome>
{
    /// <inheritdoc/>
    public async Task<WebhookOutcome> Handle(ReceiveWebhook request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (connection, transaction) = await session.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var (id, outcome) = await WebhookDeliveryStore.RecordAsync(connection, transaction, request.Delivery, now, cancellationToken);
        if (outcome == WebhookOutcome.Accepted)
        {
            await JobStore.EnqueueAsync(connection, transaction, WebhookProcessor.Job(id), now, cancellationToken);
        }

        return outcome;
    }
}
