using System.Diagnostics.Metrics;
using Dapper;
using Hangfire;
using Npgsql;

namespace MergeTrain.Postgres.Diagnostics;

/// <summary>Reads what the gauges report: the whole cluster's view, from the database.</summary>
public static class GaugeQueries
{
    private const string ActiveCars = """
        SELECT c.status, p.path, c.target_branch, count(*) AS count
        FROM cars c JOIN projects p ON p.id = c.project_id
        WHERE c.finished_at IS NULL
        GROUP BY c.status, p.path, c.target_branch
        """;

    /// <summary>A fresh snapshot for the gauges (<c>MergeTrainMetrics.UpdateGauges</c>).</summary>
    public static async Task<GaugeSnapshot> ReadAsync(NpgsqlConnection connection, JobStorage jobs, CancellationToken cancellationToken)
    {
        var cars = (await connection.QueryAsync<(string Status, string Path, string TargetBranch, long Count)>(new CommandDefinition(ActiveCars, cancellationToken: cancellationToken)))
            .Select(row => new Measurement<long>(row.Count,
                new KeyValuePair<string, object?>("status", row.Status),
                new KeyValuePair<string, object?>("project", row.Path),
                new KeyValuePair<string, object?>("target_branch", row.TargetBranch)))
            .ToList();
        ArgumentNullException.ThrowIfNull(jobs);

        // Hangfire's own counts, under the names its dashboard shows.
        var statistics = jobs.GetMonitoringApi().GetStatistics();
        var byState = new (string State, long Count)[]
        {
            ("Enqueued", statistics.Enqueued), ("Scheduled", statistics.Scheduled), ("Processing", statistics.Processing),
            ("Succeeded", statistics.Succeeded), ("Failed", statistics.Failed), ("Deleted", statistics.Deleted),
        };
        var jobGauges = byState.Select(s => new Measurement<long>(s.Count, new KeyValuePair<string, object?>("state", s.State))).ToList();
        return new GaugeSnapshot(cars, jobGauges);
    }
}
