using Hangfire;
using MergeTrain.Application.Database;
using MergeTrain.Application.Diagnostics;
using MergeTrain.Postgres.Diagnostics;

namespace MergeTrain.Server.Metrics;

/// <summary><c>GET /metrics</c>: Prometheus text format, no token (SPEC section 6).</summary>
public static class MetricsEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", async (PrometheusExporter exporter, DatabaseReadiness readiness, JobStorage jobs, CancellationToken cancellationToken) =>
        {
            // The gauges are the cluster's, read now; counters and histograms are this instance's.
            if (readiness.DataSource is { } dataSource)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                MergeTrainMetrics.UpdateGauges(await GaugeQueries.ReadAsync(connection, jobs, cancellationToken));
            }

            return Results.Text(exporter.Write(), "text/plain; version=0.0.4; charset=utf-8");
        }).AllowAnonymous().WithTags("Health").WithName("Metrics");
        return endpoints;
    }
}
