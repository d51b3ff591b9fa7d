using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Webhooks;

/// <summary>A webhook delivery as received: what identifies a redelivery, and its payload.</summary>
/// <param name="ProjectId">The project the delivery is for, when known.</param>
/// <param name="EventKind">The <c>X-Gitlab-Event</c> header.</param>
/// <param name="EventUuid">The <c>X-Gitlab-Event-UUID</c> header.</param>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> header.</param>
/// <param name="BodySha256">The hex SHA-256 of the body.</param>
/// <param name="Body">The JSON body; null for a rejected delivery, whose payload is never kept.</param>
public sealed record WebhookDelivery(long? ProjectId, string? EventKind, string? EventUuid, string? IdempotencyKey, string BodySha256, string? Body);

/// <summary>How a delivery was recorded.</summary>
public enum WebhookOutcome
{
    /// <summary>First of its kind: to be processed.</summary>
    Accepted,

    /// <summary>A redelivery of an accepted one: answered, not processed again.</summary>
    Duplicate,

    /// <summary>Refused (bad token, malformed): nothing of it is processed.</summary>
    Rejected,
}

/// <summary>The <c>webhook_deliveries</c> table: every delivery and whether it was new.</summary>
public static class WebhookDeliveryStore
{
    // The two partial unique indexes (idempotency key; event UUID with body hash) decide what is a
    // redelivery, atomically, even when GitLab retries while the first delivery is being stored.
    private const string InsertAccepted = """
        INSERT INTO webhook_deliveries (received_at, project_id, event_kind, event_uuid, idempotency_key, body_sha256, body, outcome)
        VALUES (@now, @ProjectId, @EventKind, @EventUuid, @IdempotencyKey, @BodySha256, @Body::jsonb, 'accepted')
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string InsertOther = """
        INSERT INTO webhook_deliveries (received_at, project_id, event_kind, event_uuid, idempotency_key, body_sha256, outcome, detail)
        VALUES (@now, @ProjectId, @EventKind, @EventUuid, @IdempotencyKey, @BodySha256, @outcome, @detail)
        RETURNING id
        """;

    private const string MarkProcessed = "UPDATE webhook_deliveries SET processed_at = @now, detail = coalesce(@detail, detail) WHERE id = @id";

    private const string SelectPending = """
        SELECT id, event_kind, body::text FROM webhook_deliveries
        WHERE project_id = @projectId AND outcome = 'accepted' AND processed_at IS NULL
        ORDER BY id LIMIT @limit
        """;

    private const string SelectProjectsWithStale = """
        SELECT DISTINCT project_id FROM webhook_deliveries
        WHERE outcome = 'accepted' AND processed_at IS NULL AND received_at < @before AND project_id IS NOT NULL
        """;

    /// <summary>
    /// How the detail of an accepted delivery that could not be processed begins; the dashboard
    /// tells failed deliveries by it.
    /// </summary>
    public const string FailedDetailPrefix = "failed: ";

    // Only a delivery marked failed goes back in line; its old reason stays in the detail, after
    // who retried it, until processing writes what came of it.
    private const string RetryFailed = """
        UPDATE webhook_deliveries SET processed_at = NULL, detail = @retriedBy || ' after: ' || substr(detail, length(@failedPrefix) + 1)
        WHERE id = @id AND outcome = 'accepted' AND processed_at IS NOT NULL AND starts_with(detail, @failedPrefix)
        RETURNING project_id
        """;

    private const string CountByOutcome = "SELECT outcome, count(*) FROM webhook_deliveries WHERE received_at >= @since GROUP BY outcome";

    /// <summary>Records a delivery that passed authentication: accepted when new, duplicate when seen before.</summary>
    public static async Task<(long Id, WebhookOutcome Outcome)> RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(delivery);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            InsertAccepted,
            new { now, delivery.ProjectId, delivery.EventKind, delivery.EventUuid, delivery.IdempotencyKey, delivery.BodySha256, delivery.Body },
            transaction,
            cancellationToken: cancellationToken));
        if (id is { } accepted)
        {
            return (accepted, WebhookOutcome.Accepted);
        }

        var duplicate = await InsertAsync(connection, transaction, delivery with { Body = null }, "duplicate", "redelivery of an accepted delivery", now, cancellationToken);
        return (duplicate, WebhookOutcome.Duplicate);
    }

    /// <summary>Records a refused delivery, without its body.</summary>
    public static Task<long> RecordRejectedAsync(NpgsqlConnection connection, WebhookDelivery delivery, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return InsertAsync(connection, null, delivery with { Body = null }, "rejected", reason, now, cancellationToken);
    }

    /// <summary>Marks an accepted delivery processed, with an optional note of what came of it.</summary>
    public static Task MarkProcessedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, string? detail, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(MarkProcessed, new { id, detail, now }, transaction));

    /// <summary>Marks an accepted delivery processed because it can never be: <paramref name="reason"/> says why.</summary>
    public static Task MarkFailedAsync(NpgsqlConnection connection, long id, string reason, DateTimeOffset now) =>
        MarkProcessedAsync(connection, null, id, FailedDetailPrefix + reason, now);

    /// <summary>
    /// Puts a failed delivery back in its project's line, for an admin who fixed its cause; the
    /// project, or null when <paramref name="id"/> is no failed delivery.
    /// </summary>
    public static Task<long?> RetryFailedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            RetryFailed, new { id, retriedBy = $"retried by {actor}", failedPrefix = FailedDetailPrefix }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>A project's accepted deliveries not processed yet, oldest first: id, event kind and body.</summary>
    public static async Task<IReadOnlyList<(long Id, string? EventKind, string Body)>> PendingAsync(NpgsqlConnection connection, long projectId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<(long Id, string? EventKind, string Body)>(
            new CommandDefinition(SelectPending, new { projectId, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Projects with accepted deliveries received before <paramref name="before"/> and still unprocessed.</summary>
    public static async Task<IReadOnlyList<long>> ProjectsWithUnprocessedAsync(NpgsqlConnection connection, DateTimeOffset before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<long>(new CommandDefinition(SelectProjectsWithStale, new { before }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Deliveries since <paramref name="since"/> by outcome.</summary>
    public static async Task<IReadOnlyDictionary<WebhookOutcome, long>> CountSinceAsync(NpgsqlConnection connection, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string Outcome, long Count)>(new CommandDefinition(CountByOutcome, new { since }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => Enum.Parse<WebhookOutcome>(r.Outcome, ignoreCase: true), r => r.Count);
    }

    private static Task<long> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, WebhookDelivery delivery, string outcome, string detail, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            InsertOther,
            new { now, delivery.ProjectId, delivery.EventKind, delivery.EventUuid, delivery.IdempotencyKey, delivery.BodySha256, outcome, detail },
            transaction,
            cancellationToken: cancellationToken));
}
