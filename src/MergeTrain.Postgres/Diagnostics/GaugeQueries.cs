using System.Diagnostics.Metrics;
using Dapper;
using MergeTrain.Postgres.Jobs;
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

    /// <summary>A fresh snapshot for <see cref="MergeTrainMetrics.UpdateGauges"/>.</summary>
    public static async Task<GaugeSnapshot> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var cars = (await connection.QueryAsync<(string Status, string Path, string TargetBranch, long Count)>(new CommandDefinition(ActiveCars, cancellationToken: cancellationToken)))
            .Select(row => new Measurement<long>(row.Count,
                new KeyValuePair<string, object?>("status", row.Status),
                new KeyValuePair<string, object?>("project", row.Path),
                new KeyValuePair<string, object?>("target_branch", row.TargetBranch)))
            .ToList();
        var counts = await JobStore.CountByStateAsync(connection, cancellationToken);
        var jobs = Enum.GetValues<JobState>()
            .GroupBy(state => state.ToHangfire())
            .Select(group => new Measurement<long>(group.Sum(state => counts.GetValueOrDefault(state)), new KeyValuePair<string, object?>("state", group.Key)))
            .ToList();
        return new GaugeSnapshot(cars, jobs);
    }
}
