using MergeTrain.Postgres.Retention;
using MergeTrain.Postgres.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Application.Jobs;

/// <summary>
/// Deletes stored history past its retention (<see cref="RetentionOptions"/>), one kind after the
/// other, and dashboard sessions past their expiry (already refused; the rows only take space).
/// </summary>
public sealed class HistoryPruner(NpgsqlDataSource dataSource, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<HistoryPruner> logger)
{
    /// <summary>One round; returns how many rows of each kind went.</summary>
    public async Task<IReadOnlyDictionary<History, long>> PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var pruned = new Dictionary<History, long>();
        foreach (var history in Enum.GetValues<History>())
        {
            var cutoff = clock.GetUtcNow() - options.Value.For(history);
            pruned[history] = await RetentionStore.PruneAsync(connection, history, cutoff, cancellationToken);
            if (pruned[history] > 0)
            {
                logger.LogInformation("Pruned {Count} {History} older than {Cutoff}", pruned[history], history, cutoff);
            }
        }

        var sessions = await DashboardSessionStore.PruneExpiredAsync(connection, clock.GetUtcNow(), cancellationToken);
        if (sessions > 0)
        {
            logger.LogInformation("Pruned {Count} expired dashboard sessions", sessions);
        }

        return pruned;
    }
}
