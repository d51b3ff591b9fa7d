using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// The <c>jobs</c> table: every statement of the queue lives here, parameterised, and takes the
/// current time from the caller so that tests control it.
/// </summary>
public static class JobStore
{
    /// <summary>The queue jobs go to unless they name another.</summary>
    public const string DefaultQueue = "default";

    /// <summary>The channel NOTIFY wakes workers on; the payload is the queue's name.</summary>
    public const string NotifyChannel = "mergetrain_jobs";

    private const string Columns = """
        jobs.id, jobs.kind, jobs.queue, jobs.args::text AS args, jobs.state, jobs.priority, jobs.attempt,
        jobs.max_attempts, jobs.errors::text AS errors, jobs.attempted_by, jobs.unique_key, jobs.created_at,
        jobs.scheduled_at, jobs.attempted_at, jobs.finalized_at
        """;

    // A conflicting pending job absorbs the new one and is pulled forward if the new one is due
    // sooner; "xmax <> 0" tells an update (duplicate) from an insert. NOTIFY is sent from the
    // same transaction, so workers wake only once the job is committed. The CTEs that notify are
    // read in the select list: PostgreSQL skips a CTE nobody reads, and drops an unused LEFT JOIN.
    private const string Insert = $"""
        WITH inserted AS (
            INSERT INTO jobs AS j (kind, queue, args, state, priority, max_attempts, unique_key, created_at, scheduled_at)
            VALUES (@Kind, @Queue, @Args::jsonb,
                    CASE WHEN @ScheduledAt > @Now THEN 'scheduled' ELSE 'available' END,
                    @Priority, @MaxAttempts, @UniqueKey, @Now, GREATEST(@ScheduledAt, @Now))
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable')
            DO UPDATE SET
                scheduled_at = LEAST(j.scheduled_at, EXCLUDED.scheduled_at),
                state = CASE WHEN LEAST(j.scheduled_at, EXCLUDED.scheduled_at) <= @Now THEN 'available' ELSE j.state END
            RETURNING j.id, (j.xmax <> 0) AS duplicate, j.state, j.queue
        ), notified AS (
            SELECT pg_notify('{NotifyChannel}', queue) FROM inserted WHERE state = 'available'
        )
        SELECT id, duplicate, state, (SELECT count(*) FROM notified) AS notified FROM inserted
        """;

    // Marking jobs running and completed need not wait for the WAL flush: if the server crashes
    // before it, the job is available or running again and simply runs again, which a handler
    // must allow for anyway. set_config(..., true) applies to this statement's own transaction,
    // and the CTE is read so that it runs. This takes an fsync off the enqueue-to-start path.
    private const string AsynchronousCommit = "no_flush AS (SELECT set_config('synchronous_commit', 'off', true))";

    // MATERIALIZED keeps the planner from folding the locking subquery into the UPDATE, which
    // could lock more rows than LIMIT allows.
    private const string Fetch = $"""
        WITH {AsynchronousCommit},
        locked AS MATERIALIZED (
            SELECT id FROM jobs
            WHERE state = 'available' AND queue = @queue AND scheduled_at <= @now
            ORDER BY priority, scheduled_at, id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs SET state = 'running', attempt = attempt + 1, attempted_at = @now,
                        attempted_by = array_append(attempted_by, @server)
        FROM locked, no_flush WHERE jobs.id = locked.id
        RETURNING {Columns}
        """;

    // (id, attempt) pairs: a job rescued from a dead server and picked up again must not be
    // completed by the first server's late answer.
    private const string Complete = $"""
        WITH {AsynchronousCommit}
        UPDATE jobs SET state = 'completed', finalized_at = @now
        FROM unnest(@ids, @attempts) AS done(id, attempt), no_flush
        WHERE jobs.id = done.id AND jobs.attempt = done.attempt AND jobs.state = 'running'
        """;

    private const string Fail = """
        UPDATE jobs SET
            state        = CASE WHEN @discard OR attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END,
            scheduled_at = CASE WHEN @discard OR attempt >= max_attempts THEN scheduled_at ELSE @retryAt END,
            finalized_at = CASE WHEN @discard OR attempt >= max_attempts THEN @now END,
            errors       = errors || jsonb_build_array(jsonb_build_object('at', @now, 'attempt', attempt, 'error', @error))
        WHERE id = @id AND attempt = @attempt AND state = 'running'
        RETURNING state
        """;

    private const string Promote = $"""
        WITH promoted AS (
            UPDATE jobs SET state = 'available'
            WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= @now
            RETURNING queue
        ), notified AS (
            SELECT pg_notify('{NotifyChannel}', queue) FROM (SELECT DISTINCT queue FROM promoted) q
        )
        SELECT (SELECT count(*) FROM promoted), (SELECT count(*) FROM notified)
        """;

    // A running job whose server has stopped heartbeating (or is gone) is given back.
    private const string Rescue = """
        UPDATE jobs SET
            state        = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END,
            scheduled_at = @now,
            finalized_at = CASE WHEN attempt >= max_attempts THEN @now END,
            errors       = errors || jsonb_build_array(jsonb_build_object(
                               'at', @now, 'attempt', attempt,
                               'error', 'rescued: server ' || attempted_by[cardinality(attempted_by)] || ' stopped heartbeating while running it'))
        WHERE state = 'running'
          AND NOT EXISTS (SELECT 1 FROM servers s
                          WHERE s.id = jobs.attempted_by[cardinality(jobs.attempted_by)] AND s.heartbeat_at > @cutoff)
        RETURNING id
        """;

    private const string Prune = """
        DELETE FROM jobs WHERE id IN (
            SELECT id FROM jobs WHERE finalized_at < @cutoff AND state = ANY(@states) LIMIT @batch)
        """;

    private const string Cancel = """
        UPDATE jobs SET state = 'cancelled', finalized_at = @now
        WHERE id = @id AND state IN ('available', 'scheduled', 'retryable', 'running')
        """;

    // Requeue (the dashboard's button): runs again now, with one more attempt allowed if needed.
    private const string Requeue = $"""
        WITH requeued AS (
            UPDATE jobs SET state = 'available', scheduled_at = @now, finalized_at = NULL,
                            max_attempts = GREATEST(max_attempts, attempt + 1)
            WHERE id = @id AND state IN ('scheduled', 'retryable', 'completed', 'discarded', 'cancelled')
            RETURNING queue
        ), notified AS (
            SELECT pg_notify('{NotifyChannel}', queue) FROM requeued
        )
        SELECT (SELECT count(*) FROM requeued), (SELECT count(*) FROM notified)
        """;

    private const string SelectOne = $"SELECT {Columns} FROM jobs WHERE id = @id";

    private const string SelectByState = $"""
        SELECT {Columns} FROM jobs WHERE state = ANY(@states) ORDER BY id DESC LIMIT @limit OFFSET @offset
        """;

    private const string CountByState = "SELECT state, count(*) AS count FROM jobs GROUP BY state";

    static JobStore() => DapperTypes.Register();

    /// <summary>Enqueues <paramref name="job"/> on <paramref name="connection"/>, inside <paramref name="transaction"/> when given.</summary>
    public static async Task<EnqueueResult> EnqueueAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, NewJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(job);
        var parameters = new
        {
            job.Kind,
            job.Queue,
            job.Args,
            job.Priority,
            job.MaxAttempts,
            job.UniqueKey,
            ScheduledAt = job.ScheduledAt ?? now,
            Now = now,
        };
        var row = await connection.QuerySingleAsync<(long Id, bool Duplicate, string State, long Notified)>(
            new CommandDefinition(Insert, parameters, transaction, cancellationToken: cancellationToken));
        return new EnqueueResult(row.Id, row.Duplicate, Enum.Parse<JobState>(row.State, ignoreCase: true));
    }

    /// <summary>Marks up to <paramref name="limit"/> available jobs of <paramref name="queue"/> running for <paramref name="server"/> and returns them.</summary>
    public static async Task<IReadOnlyList<Job>> FetchAsync(
        NpgsqlConnection connection, string queue, string server, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<Job>(
            new CommandDefinition(Fetch, new { queue, server, limit, now }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Marks the given attempts completed; attempts that are no longer running are left alone. Returns how many were completed.</summary>
    public static async Task<int> CompleteAsync(
        NpgsqlConnection connection, IReadOnlyCollection<(long Id, int Attempt)> attempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(attempts);
        var ids = attempts.Select(a => a.Id).ToArray();
        var numbers = attempts.Select(a => a.Attempt).ToArray();
        return await connection.ExecuteAsync(
            new CommandDefinition(Complete, new { ids, attempts = numbers, now }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records a failed attempt: the job is retried at <paramref name="retryAt"/>, or discarded when
    /// <paramref name="discard"/> is set or it has no attempts left. Returns the new state, or null
    /// when the attempt was no longer running (rescued or cancelled meanwhile).
    /// </summary>
    public static async Task<JobState?> FailAsync(
        NpgsqlConnection connection, long id, int attempt, string error, DateTimeOffset retryAt, bool discard, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var state = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            Fail, new { id, attempt, error, retryAt, discard, now }, cancellationToken: cancellationToken));
        return state is null ? null : Enum.Parse<JobState>(state, ignoreCase: true);
    }

    /// <summary>Makes scheduled and retryable jobs that are due available, and wakes the workers. Returns how many.</summary>
    public static async Task<long> PromoteDueAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Promote, new { now }, cancellationToken: cancellationToken));
    }

    /// <summary>Gives back the running jobs of servers with no heartbeat since <paramref name="cutoff"/>. Returns their ids.</summary>
    public static async Task<IReadOnlyList<long>> RescueAsync(NpgsqlConnection connection, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<long>(new CommandDefinition(Rescue, new { cutoff, now }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Deletes up to <paramref name="batch"/> jobs in <paramref name="states"/> finalized before <paramref name="cutoff"/>. Returns how many.</summary>
    public static async Task<int> PruneAsync(
        NpgsqlConnection connection, DateTimeOffset cutoff, IReadOnlyCollection<JobState> states, int batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(states);
        var names = states.Select(s => s.ToDatabase()).ToArray();
        return await connection.ExecuteAsync(new CommandDefinition(Prune, new { cutoff, states = names, batch }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Cancels a job that has not finished. A running job's handler is not interrupted, but its
    /// result is no longer recorded. Returns false when the job had already finished.
    /// </summary>
    public static async Task<bool> CancelAsync(NpgsqlConnection connection, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.ExecuteAsync(new CommandDefinition(Cancel, new { id, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Makes a job that is not running available again now. Returns false when it is running or unknown.</summary>
    public static async Task<bool> RequeueAsync(NpgsqlConnection connection, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Requeue, new { id, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>One job, or null.</summary>
    public static async Task<Job?> FindAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.QuerySingleOrDefaultAsync<Job>(new CommandDefinition(SelectOne, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Jobs in any of <paramref name="states"/>, newest first.</summary>
    public static async Task<IReadOnlyList<Job>> ListAsync(
        NpgsqlConnection connection, IReadOnlyCollection<JobState> states, int limit, int offset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(states);
        var names = states.Select(s => s.ToDatabase()).ToArray();
        return (await connection.QueryAsync<Job>(new CommandDefinition(
            SelectByState, new { states = names, limit, offset }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How many jobs are in each state (states with none are absent).</summary>
    public static async Task<IReadOnlyDictionary<JobState, long>> CountByStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string State, long Count)>(new CommandDefinition(CountByState, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => Enum.Parse<JobState>(r.State, ignoreCase: true), r => r.Count);
    }
}
