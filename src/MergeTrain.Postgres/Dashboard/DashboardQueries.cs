using Dapper;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Webhooks;
using Npgsql;

namespace MergeTrain.Postgres.Dashboard;

/// <summary>
/// The reads behind the operator dashboard (SPEC section 8). They are synchronous because
/// Hangfire renders its pages synchronously (<c>RazorPage.Execute</c>): a synchronous read holds
/// its thread for the query, where blocking on an asynchronous one would hold it just the same
/// and add a second.
/// </summary>
public static class DashboardQueries
{
    private const string Trains = """
        SELECT t.project_id, p.path AS project_path, t.state::text AS state
        FROM trains t JOIN projects p ON p.id = t.project_id
        ORDER BY p.path, t.target_branch
        """;

    private const string CarsOfMergeRequest = """
        SELECT target_branch, added_at, finished_at, car::text AS car
        FROM cars WHERE project_id = @projectId AND iid = @iid
        ORDER BY added_at, id
        """;

    private const string AuditWhere = """
        WHERE (@projectId::bigint IS NULL OR a.project_id = @projectId)
          AND (@targetBranch::text IS NULL OR a.target_branch = @targetBranch)
          AND (@iid::int IS NULL OR a.iid = @iid)
        """;

    private const string AuditPage = $"""
        SELECT a.id, a.occurred_at, a.project_id, p.path AS project_path, a.target_branch, a.actor, a.iid, a.from_status, a.to_status, a.reason
        FROM audit_events a JOIN projects p ON p.id = a.project_id
        {AuditWhere}
        ORDER BY CASE WHEN @oldestFirst THEN a.id END ASC, a.id DESC
        OFFSET @from LIMIT @count
        """;

    private const string AuditCount = $"SELECT count(*) FROM audit_events a {AuditWhere}";

    // What became of each delivery (DeliveryStatus): the processor marks one that failed for good
    // with WebhookDeliveryStore.FailedDetailPrefix.
    private const string DeliveriesWithStatus = """
        WITH d AS (
            SELECT id, received_at, project_id, event_kind, event_uuid, detail, processed_at,
                   CASE WHEN outcome = @accepted AND processed_at IS NULL THEN @pending
                        WHEN outcome = @accepted AND starts_with(detail, @failedPrefix) THEN @failed
                        ELSE outcome END AS status
            FROM webhook_deliveries
        )
        """;

    private const string DeliveriesPage = $"""
        {DeliveriesWithStatus}
        SELECT id, received_at, project_id, event_kind, event_uuid, status, detail, processed_at
        FROM d WHERE @status::text IS NULL OR status = @status
        ORDER BY id DESC OFFSET @from LIMIT @count
        """;

    private const string DeliveriesCount = $"{DeliveriesWithStatus} SELECT count(*) FROM d WHERE @status::text IS NULL OR status = @status";

    private const string Merges = """
        SELECT date_bin(@bucket, finished_at, @since) AS period, count(*)::float8 AS value
        FROM cars WHERE status = @merged AND finished_at >= @since AND finished_at < @until
        GROUP BY 1 ORDER BY 1
        """;

    // Time on the train of this stay: from being added to being merged.
    private const string TimeToMerge = """
        SELECT date_bin(@bucket, finished_at, @since) AS period, avg(extract(epoch FROM finished_at - added_at))::float8 AS value
        FROM cars WHERE status = @merged AND finished_at >= @since AND finished_at < @until
        GROUP BY 1 ORDER BY 1
        """;

    // As PipelineAccounting counts it for the metrics, from what the pipelines table keeps. A
    // pipeline's time ends when it finished or, if it never said so, when a later pipeline took
    // its ref (the car was rebuilt and the train cancelled it). Wasted: cancelled, or replaced by
    // a later pipeline of the same car before its result was used; a failed one did its job.
    // Looking back a day before the window finds pipelines that started before it.
    private const string PipelineTime = """
        WITH runs AS (
            SELECT status, created_at, updated_at,
                   lead(created_at) OVER (PARTITION BY project_id, train_id, iid, ref ORDER BY created_at, id) AS replaced_at
            FROM pipelines
            WHERE created_at >= @since - interval '1 day' AND created_at < @until
        ), accounted AS (
            SELECT created_at,
                   CASE WHEN status = ANY(@finished) THEN updated_at ELSE replaced_at END AS ended_at,
                   status = @canceled OR (replaced_at IS NOT NULL AND status <> @failed) AS wasted
            FROM runs
        )
        SELECT date_bin(@bucket, ended_at, @since) AS period,
               sum(extract(epoch FROM ended_at - created_at))::float8 AS spent_seconds,
               coalesce(sum(extract(epoch FROM ended_at - created_at)) FILTER (WHERE wasted), 0)::float8 AS wasted_seconds
        FROM accounted
        WHERE ended_at >= @since AND ended_at < @until
        GROUP BY 1 ORDER BY 1
        """;

    static DashboardQueries() => DapperTypes.Register();

    /// <summary>Every train, by project path and branch.</summary>
    public static IReadOnlyList<DashboardTrain> TrainsOf(NpgsqlConnection connection) =>
        [.. connection.Query<TrainRow>(Trains).Select(row => new DashboardTrain(row.ProjectId, row.ProjectPath, TrainJson.Read<TrainState>(row.State)))];

    /// <summary>Every stay of one merge request on a train, oldest first.</summary>
    public static IReadOnlyList<CarStay> StaysOf(NpgsqlConnection connection, long projectId, int iid) =>
        [.. connection.Query<CarRow>(CarsOfMergeRequest, new { projectId, iid }).Select(row => new CarStay(row.TargetBranch, row.AddedAt, row.FinishedAt, TrainJson.Read<Car>(row.Car)))];

    /// <summary>
    /// One page of the audit records matching <paramref name="filter"/>, newest first, or oldest
    /// first when <paramref name="oldestFirst"/> (a history reads forwards).
    /// </summary>
    public static Paged<AuditEntry> Audit(NpgsqlConnection connection, AuditFilter filter, int from, int count, bool oldestFirst = false)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new { projectId = filter.ProjectId, targetBranch = filter.TargetBranch, iid = filter.Iid, from, count, oldestFirst };
        var page = connection.Query<AuditEntry>(AuditPage, parameters).AsList();
        return new Paged<AuditEntry>(page, connection.ExecuteScalar<long>(AuditCount, parameters));
    }

    /// <summary>One page of webhook deliveries, newest first; only those of <paramref name="status"/> (a <see cref="DeliveryStatus"/>) unless null.</summary>
    public static Paged<DeliveryEntry> Deliveries(NpgsqlConnection connection, string? status, int from, int count)
    {
        var parameters = new
        {
            status,
            from,
            count,
            accepted = DeliveryStatus.Accepted,
            pending = DeliveryStatus.Pending,
            failed = DeliveryStatus.Failed,
            failedPrefix = WebhookDeliveryStore.FailedDetailPrefix,
        };
        return new Paged<DeliveryEntry>(connection.Query<DeliveryEntry>(DeliveriesPage, parameters).AsList(), connection.ExecuteScalar<long>(DeliveriesCount, parameters));
    }

    /// <summary>Merges per bucket of <paramref name="window"/>; buckets without a merge are left out.</summary>
    public static IReadOnlyList<ChartPoint> MergesIn(NpgsqlConnection connection, ChartWindow window) =>
        Points(connection, Merges, window);

    /// <summary>Average seconds from added to merged of the merges in each bucket of <paramref name="window"/>.</summary>
    public static IReadOnlyList<ChartPoint> TimeToMergeIn(NpgsqlConnection connection, ChartWindow window) =>
        Points(connection, TimeToMerge, window);

    /// <summary>Pipeline seconds spent and wasted per bucket of <paramref name="window"/>, by when the pipelines ended.</summary>
    public static IReadOnlyList<PipelineTimePoint> PipelineTimeIn(NpgsqlConnection connection, ChartWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return connection.Query<PipelineTimePoint>(PipelineTime, new
        {
            since = window.Since,
            until = window.Until,
            bucket = window.Bucket,
            finished = FinishedPipelineStatuses.Names,
            canceled = PipelineStatus.Canceled.ToGitLabName(),
            failed = PipelineStatus.Failed.ToGitLabName(),
        }).AsList();
    }

    private static List<ChartPoint> Points(NpgsqlConnection connection, string sql, ChartWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return connection.Query<ChartPoint>(sql, new { since = window.Since, until = window.Until, bucket = window.Bucket, merged = CarStatus.Merged.ToGitLabName() }).AsList();
    }

    private sealed record TrainRow(long ProjectId, string ProjectPath, string State);

    private sealed record CarRow(string TargetBranch, DateTimeOffset AddedAt, DateTimeOffset? FinishedAt, string Car);
}
