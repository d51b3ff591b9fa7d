using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Work;

/// <summary>
/// Runs requested work one run at a time per request, across every instance: a run holds the
/// request's session advisory lock (released by the server when the connection dies with its
/// process, so a crash frees the work at once), takes the request, works, and deletes the request
/// only if nobody asked again meanwhile. A job that finds the lock held leaves at once: the holder
/// looks for a new request after it unlocks, so nothing asked for while it ran is missed.
/// </summary>
public sealed class ExclusiveWork(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<ExclusiveWork> logger)
{
    /// <summary>
    /// Runs <paramref name="work"/> while <paramref name="request"/> is asked for. Returns false
    /// when another run holds the work (it will do what was asked). A failing run marks the
    /// request failed and rethrows, for the job's retry.
    /// </summary>
    public async Task<bool> RunAsync(WorkRequest request, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var ran = false;
        do
        {
            if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key = request.LockKey }, cancellationToken: cancellationToken)))
            {
                logger.LogDebug("{Work} is being done by another run", request);
                return ran;
            }

            ran = true;
            try
            {
                while (await WorkRequestStore.TakeAsync(connection, request, clock.GetUtcNow(), cancellationToken) is { } generation)
                {
                    try
                    {
                        await work(cancellationToken);
                    }
                    catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        await WorkRequestStore.MarkFailedAsync(connection, request, clock.GetUtcNow());
                        throw;
                    }

                    if (await WorkRequestStore.FinishAsync(connection, request, generation, cancellationToken))
                    {
                        break;
                    }
                }
            }
            finally
            {
                // Not cancellable: a lock left behind would hold the work until the connection closes.
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = request.LockKey }));
            }
        }
        while (await WorkRequestStore.IsPendingAsync(connection, request, cancellationToken));

        return ran;
    }
}
