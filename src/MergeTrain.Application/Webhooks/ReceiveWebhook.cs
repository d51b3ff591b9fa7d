using MediatR;
using MergeTrain.Application.Database;
using MergeTrain.Application.Jobs;
using MergeTrain.Application.Mediation;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;

namespace MergeTrain.Application.Webhooks;

/// <summary>
/// Store an authenticated, well-formed delivery durably and queue its processing: the endpoint
/// answers 202 once both are done. A redelivery is recorded as a duplicate and not queued.
/// </summary>
/// <remarks>
/// The delivery and the project's drain request are separate statements, not one transaction:
/// every delivery of a project touches the same request row, and holding its row lock until a
/// commit made concurrent deliveries queue behind each other. A crash between the two leaves a
/// stored delivery without a request, and one between the request and the job's enqueue leaves a
/// request without a job; <see cref="WorkSweeper"/> finds both. Only the delivery that creates the
/// request enqueues a job: the run it starts drains whatever arrives while it works.
/// </remarks>
public sealed record ReceiveWebhook(WebhookDelivery Delivery) : IRequest<WebhookOutcome>;

/// <summary>Handles <see cref="ReceiveWebhook"/>.</summary>
public sealed class ReceiveWebhookHandler(DatabaseReadiness readiness, IWorkScheduler scheduler, TimeProvider clock) : IRequestHandler<ReceiveWebhook, WebhookOutcome>
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
            var drain = WorkRequest.DrainWebhooks(request.Delivery.ProjectId!.Value);
            if (await WorkRequestStore.RequestAsync(connection, null, drain, now, cancellationToken))
            {
                scheduler.Enqueue(drain);
            }
        }

        return outcome;
    }
}
