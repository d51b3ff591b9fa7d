using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Dashboard;

/// <summary>A train as the dashboard lists it.</summary>
public sealed record TrainSummary(long Id, long ProjectId, string ProjectPath, string TargetBranch, string State, long Version, DateTimeOffset UpdatedAt);

/// <summary>One audit record.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset OccurredAt, string ProjectPath, string TargetBranch, string Actor, int? Iid, string? FromStatus, string? ToStatus, string Reason);

/// <summary>One webhook delivery, without its body.</summary>
public sealed record DeliveryEntry(long Id, DateTimeOffset ReceivedAt, long? ProjectId, string? EventKind, string? EventUuid, string Outcome, string? Detail, DateTimeOffset? ProcessedAt);

/// <summary>One bar of a chart: a period and a value.</summary>
public sealed record ChartPoint(DateTimeOffset Period, double Value);

/// <summary>The reads behind the operator dashboard (SPEC section 8).</summary>
public static class DashboardQueries
{
    private const string Trains = """
        SELECT t.id, t.project_id, p.path AS project_path, t.target_branch, t.state::text AS state, t.version, t.updated_at
        FROM trains t JOIN projects p ON p.id = t.project_id
        ORDER BY p.path, t.target_branch
        """;

    private const string Audit = """
        SELECT a.id, a.occurred_at, p.path AS project_path, a.target_branch, a.actor, a.iid, a.from_status, a.to_status, a.reason
        FROM audit_events a JOIN projects p ON p.id = a.project_id
        WHERE (@projectId::bigint IS NULL OR a.project_id = @projectId) AND (@iid::int IS NULL OR a.iid = @iid)
        ORDER BY a.id DESC LIMIT @limit
        """;

    private const string Deliveries = """
        SELECT id, received_at, project_id, event_kind, event_uuid, outcome, detail, processed_at
        FROM webhook_deliveries ORDER BY id DESC LIMIT @limit
        """;

    private const string MergesPerHour = """
        SELECT date_trunc('hour', finished_at) AS period, count(*)::float8 AS value
        FROM cars WHERE status = 'merged' AND finished_at >= @since
        GROUP BY 1 ORDER BY 1
        """;

    private const string TimeToMergePerHour = """
        SELECT date_trunc('hour', finished_at) AS period, avg(extract(epoch FROM finished_at - added_at))::float8 AS value
        FROM cars WHERE status = 'merged' AND finished_at >= @since
        GROUP BY 1 ORDER BY 1
        """;

    // Minutes of pipelines that were cancelled, or whose car did not merge with them.
    private const string PipelineMinutesPerHour = """
        SELECT date_trunc('hour', p.updated_at) AS period,
               sum(extract(epoch FROM p.updated_at - p.created_at))::float8 / 60 AS value
        FROM pipelines p
        WHERE p.updated_at >= @since AND p.status IN ('success', 'failed', 'canceled')
          AND (@wasted = false OR p.status = 'canceled'
               OR NOT EXISTS (SELECT 1 FROM cars c WHERE c.status = 'merged' AND (c.car->'Pipeline'->>'Id')::bigint = p.id))
        GROUP BY 1 ORDER BY 1
        """;

    static DashboardQueries() => DapperTypes.Register();

    /// <summary>Every train, by project and branch.</summary>
    public static async Task<IReadOnlyList<TrainSummary>> TrainsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<TrainSummary>(new CommandDefinition(Trains, cancellationToken: cancellationToken))).AsList();

    /// <summary>The newest audit records, optionally of one project and MR.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(NpgsqlConnection connection, long? projectId, int? iid, int limit, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<AuditEntry>(new CommandDefinition(Audit, new { projectId, iid, limit }, cancellationToken: cancellationToken))).AsList();

    /// <summary>The newest webhook deliveries.</summary>
    public static async Task<IReadOnlyList<DeliveryEntry>> DeliveriesAsync(NpgsqlConnection connection, int limit, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<DeliveryEntry>(new CommandDefinition(Deliveries, new { limit }, cancellationToken: cancellationToken))).AsList();

    /// <summary>Merges per hour since <paramref name="since"/>.</summary>
    public static Task<IReadOnlyList<ChartPoint>> MergesPerHourAsync(NpgsqlConnection connection, DateTimeOffset since, CancellationToken cancellationToken) =>
        PointsAsync(connection, MergesPerHour, new { since }, cancellationToken);

    /// <summary>Average time to merge (seconds) of the MRs merged in each hour since <paramref name="since"/>.</summary>
    public static Task<IReadOnlyList<ChartPoint>> TimeToMergeAsync(NpgsqlConnection connection, DateTimeOffset since, CancellationToken cancellationToken) =>
        PointsAsync(connection, TimeToMergePerHour, new { since }, cancellationToken);

    /// <summary>Pipeline minutes per hour since <paramref name="since"/>; only the wasted ones when <paramref name="wasted"/>.</summary>
    public static Task<IReadOnlyList<ChartPoint>> PipelineMinutesAsync(NpgsqlConnection connection, DateTimeOffset since, bool wasted, CancellationToken cancellationToken) =>
        PointsAsync(connection, PipelineMinutesPerHour, new { since, wasted }, cancellationToken);

    private static async Task<IReadOnlyList<ChartPoint>> PointsAsync(NpgsqlConnection connection, string sql, object parameters, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<ChartPoint>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).AsList();
}
