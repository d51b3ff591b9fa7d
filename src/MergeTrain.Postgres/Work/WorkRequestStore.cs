using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Work;

/// <summary>
/// The SQL of <c>work_requests</c> (migration 0006 explains the row's life). Every statement takes
/// the time from its caller.
/// </summary>
public static class WorkRequestStore
{
    // FindAsync reads timestamps into DateTimeOffset: without the handlers it worked only when
    // another store had registered them first in the process.
    static WorkRequestStore() => DapperTypes.Register();

    // "previous" reads the row as it was before this statement: a request for work whose last run
    // failed must start a job now instead of waiting out the retry's back-off. (xmax = 0) tells an
    // insert from an update.
    private const string Request = """
        WITH previous AS (
            SELECT failed_at FROM work_requests WHERE kind = @Kind AND key = @Key
        ), upserted AS (
            INSERT INTO work_requests (kind, key, requested_at) VALUES (@Kind, @Key, @now)
            ON CONFLICT (kind, key) DO UPDATE SET generation = work_requests.generation + 1, failed_at = NULL
            RETURNING (xmax = 0) AS inserted
        )
        SELECT inserted OR EXISTS (SELECT 1 FROM previous WHERE failed_at IS NOT NULL) FROM upserted
        """;

    private const string Take = """
        UPDATE work_requests SET taken_generation = generation, taken_at = @now, failed_at = NULL
        WHERE kind = @Kind AND key = @Key
        RETURNING generation
        """;

    private const string Finish = "DELETE FROM work_requests WHERE kind = @Kind AND key = @Key AND generation = @generation";

    private const string MarkFailed = "UPDATE work_requests SET failed_at = @now WHERE kind = @Kind AND key = @Key";

    private const string Pending = "SELECT EXISTS (SELECT 1 FROM work_requests WHERE kind = @Kind AND key = @Key AND failed_at IS NULL)";

    // Left behind: asked for before the cutoff and not taken since, and not waiting for a retry.
    private const string SelectStale = """
        SELECT kind, key FROM work_requests
        WHERE failed_at IS NULL AND requested_at < @cutoff AND (taken_at IS NULL OR taken_at < @cutoff)
        ORDER BY requested_at
        LIMIT @limit
        """;

    // Trains whose engine timer is due and that nobody has asked to refresh: the timer's own
    // delayed job was lost (or scheduled by an instance that died).
    private const string RequestDueTimers = """
        INSERT INTO work_requests (kind, key, requested_at)
        SELECT 'refresh_train', t.id, @now FROM trains t WHERE t.next_timer_at < @cutoff
        ON CONFLICT (kind, key) DO NOTHING
        RETURNING key
        """;

    // Taken by a run and not finished: the run is alive exactly while its advisory lock is held.
    private const string SelectTaken = """
        SELECT kind, key FROM work_requests
        WHERE failed_at IS NULL AND taken_at IS NOT NULL
        ORDER BY taken_at
        LIMIT @limit
        """;

    // Session advisory locks on one bigint key show in pg_locks as classid = high 32 bits,
    // objid = low 32 bits, objsubid = 1 (PostgreSQL's documented layout).
    private const string SelectHeldLocks = """
        SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """;

    private const string SelectOne = """
        SELECT kind, key, generation, taken_generation AS TakenGeneration, requested_at AS RequestedAt,
               taken_at AS TakenAt, failed_at AS FailedAt
        FROM work_requests WHERE kind = @Kind AND key = @Key
        """;

    /// <summary>
    /// Asks for <paramref name="request"/> in <paramref name="transaction"/> (or on its own, if null);
    /// returns whether a job must be enqueued after the commit (no job is waiting for this work).
    /// </summary>
    public static async Task<bool> RequestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, WorkRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(Request, new { request.Kind, request.Key, now }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Takes the request for a run: returns its generation, or null when nothing is asked for.</summary>
    public static Task<long?> TakeAsync(NpgsqlConnection connection, WorkRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(Take, new { request.Kind, request.Key, now }, cancellationToken: cancellationToken));

    /// <summary>Deletes the request if nobody asked again since generation <paramref name="generation"/> was taken; false means run again.</summary>
    public static async Task<bool> FinishAsync(NpgsqlConnection connection, WorkRequest request, long generation, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(Finish, new { request.Kind, request.Key, generation }, cancellationToken: cancellationToken)) == 1;

    /// <summary>Records that a run failed: the request waits for the job's retry, or for a new request.</summary>
    public static Task MarkFailedAsync(NpgsqlConnection connection, WorkRequest request, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(MarkFailed, new { request.Kind, request.Key, now }));

    /// <summary>Whether <paramref name="request"/> is asked for and not waiting for a retry.</summary>
    public static Task<bool> IsPendingAsync(NpgsqlConnection connection, WorkRequest request, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(Pending, new { request.Kind, request.Key }, cancellationToken: cancellationToken));

    /// <summary>Requests asked for before <paramref name="cutoff"/> that no run has taken since: their job was lost.</summary>
    public static async Task<IReadOnlyList<WorkRequest>> StaleAsync(NpgsqlConnection connection, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string Kind, long Key)>(new CommandDefinition(SelectStale, new { cutoff, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new WorkRequest(r.Kind, r.Key)).ToList();
    }

    /// <summary>
    /// Requests a run took whose advisory lock nobody holds: that run's process (or its connection)
    /// died, since a live run holds the lock from before it takes the request until after it
    /// finishes it. Found at once, without waiting for the request to age past a cutoff. A run
    /// that just unlocked and is about to look again may be counted too: its work is then
    /// enqueued once more, and the spare job leaves at once.
    /// </summary>
    public static async Task<IReadOnlyList<WorkRequest>> OrphanedAsync(NpgsqlConnection connection, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var taken = (await connection.QueryAsync<(string Kind, long Key)>(new CommandDefinition(SelectTaken, new { limit }, cancellationToken: cancellationToken)))
            .Select(r => new WorkRequest(r.Kind, r.Key))
            .ToList();
        if (taken.Count == 0)
        {
            return [];
        }

        // Read after the requests: a run that takes one meanwhile holds its lock by now.
        var held = (await connection.QueryAsync<long>(new CommandDefinition(SelectHeldLocks, cancellationToken: cancellationToken))).ToHashSet();
        return taken.Where(request => !held.Contains(request.LockKey)).ToList();
    }

    /// <summary>Asks for a refresh of every train whose timer fell due before <paramref name="cutoff"/>; returns those newly asked for.</summary>
    public static async Task<IReadOnlyList<WorkRequest>> RequestDueTimersAsync(NpgsqlConnection connection, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var keys = await connection.QueryAsync<long>(new CommandDefinition(RequestDueTimers, new { cutoff, now }, cancellationToken: cancellationToken));
        return keys.Select(WorkRequest.RefreshTrain).ToList();
    }

    /// <summary>The row of <paramref name="request"/>, or null (what an operator or a test looks at).</summary>
    public static Task<WorkRequestRow?> FindAsync(NpgsqlConnection connection, WorkRequest request) =>
        connection.QuerySingleOrDefaultAsync<WorkRequestRow?>(new CommandDefinition(SelectOne, new { request.Kind, request.Key }));
}

/// <summary>A row of <c>work_requests</c>.</summary>
public sealed record WorkRequestRow(string Kind, long Key, long Generation, long? TakenGeneration, DateTimeOffset RequestedAt, DateTimeOffset? TakenAt, DateTimeOffset? FailedAt);
