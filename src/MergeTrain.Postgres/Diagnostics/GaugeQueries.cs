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

    /// <summary>Active cars from the database and job counts from Hangfire's storage, read now.</summary>
    public static async Task<GaugeReading> ReadAsync(NpgsqlConnection connection, JobStorage jobs, CancellationToken cancellationToken)
    {
        var cars = (await connection.QueryAsync<(string Status, string Path, string TargetBranch, long Count)>(new CommandDefinition(ActiveCars, cancellationToken: cancellationToken)))
            .Select(row => new ActiveCarCount(row.Status, row.Path, row.TargetBranch, row.Count))
            .ToList();
        ArgumentNullException.ThrowIfNull(jobs);

        // Hangfire's own counts, under the names its dashboard shows.
        var statistics = jobs.GetMonitoringApi().GetStatistics();
        JobStateCount[] byState =
        [
            new("Enqueued", statistics.Enqueued), new("Scheduled", statistics.Scheduled), new("Processing", statistics.Processing),
            new("Succeeded", statistics.Succeeded), new("Failed", statistics.Failed), new("Deleted", statistics.Deleted),
        ];
        return new GaugeReading(cars, byState);
    }
}
