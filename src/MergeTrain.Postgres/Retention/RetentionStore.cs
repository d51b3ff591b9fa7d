using Dapper;
using MergeTrain.Core.Trains;
using Npgsql;

namespace MergeTrain.Postgres.Retention;

/// <summary>
/// Deletes stored history past its retention, a batch per statement so that no prune holds many
/// locks or one long transaction: decided inbox events, performed effects, processed webhook
/// deliveries (their bodies are the bulk), finished or abandoned pipelines, and audit records.
/// Nothing that work still needs is touched: undecided events, open effects, unprocessed
/// deliveries and followed pipelines stay whatever their age.
/// </summary>
public static class RetentionStore
{
    private const string PruneEvents = """
        DELETE FROM train_events WHERE id IN (
            SELECT id FROM train_events WHERE decided_at < @cutoff LIMIT @batch)
        """;

    private const string PruneEffects = """
        DELETE FROM train_effects WHERE id IN (
            SELECT id FROM train_effects WHERE state = 'done' AND performed_at < @cutoff LIMIT @batch)
        """;

    private const string PruneDeliveries = """
        DELETE FROM webhook_deliveries WHERE id IN (
            SELECT id FROM webhook_deliveries
            WHERE received_at < @cutoff AND (outcome <> 'accepted' OR processed_at IS NOT NULL) LIMIT @batch)
        """;

    private const string PrunePipelines = """
        DELETE FROM pipelines WHERE (project_id, id) IN (
            SELECT project_id, id FROM pipelines
            WHERE updated_at < @cutoff AND (abandoned_at IS NOT NULL OR status <> ALL(@unfinished)) LIMIT @batch)
        """;

    private const string PruneAudit = """
        DELETE FROM audit_events WHERE id IN (
            SELECT id FROM audit_events WHERE occurred_at < @cutoff LIMIT @batch)
        """;

    /// <summary>What one statement deletes at most.</summary>
    public const int Batch = 1_000;

    /// <summary>Prunes one kind of history older than <paramref name="cutoff"/>, batch after batch; returns how many rows went.</summary>
    public static async Task<long> PruneAsync(NpgsqlConnection connection, History history, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sql = history switch
        {
            History.Events => PruneEvents,
            History.Effects => PruneEffects,
            History.Deliveries => PruneDeliveries,
            History.Pipelines => PrunePipelines,
            History.Audit => PruneAudit,
            _ => throw new ArgumentOutOfRangeException(nameof(history), history, null),
        };
        long total = 0;
        int deleted;
        do
        {
            deleted = await connection.ExecuteAsync(new CommandDefinition(sql, new { cutoff, batch = Batch, unfinished = FinishedPipelineStatuses.UnfinishedNames }, cancellationToken: cancellationToken));
            total += deleted;
        }
        while (deleted == Batch && !cancellationToken.IsCancellationRequested);

        return total;
    }
}

/// <summary>The kinds of stored history that have a retention.</summary>
public enum History
{
    /// <summary>Inbox events already decided.</summary>
    Events,

    /// <summary>Outbox effects already performed.</summary>
    Effects,

    /// <summary>Webhook deliveries processed, or never to be (duplicates, rejections).</summary>
    Deliveries,

    /// <summary>Pipelines finished, or no longer followed.</summary>
    Pipelines,

    /// <summary>The audit log.</summary>
    Audit,
}
