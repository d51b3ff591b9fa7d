using Prometheus;

namespace MergeTrain.Server.Metrics;

/// <summary><c>GET /metrics</c>: Prometheus text format, no token (SPEC section 6).</summary>
public static class MetricsEndpoint
{
    /// <summary>
    /// Maps the endpoint: the cluster gauges are refreshed, then prometheus-net writes the host's
    /// registry. A failed refresh fails the scrape (the exception handler answers 500) rather than
    /// report gauges that were not read.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        var gauges = endpoints.ServiceProvider.GetRequiredService<ClusterGauges>();

        // The text format whatever the Accept header asks: OpenMetrics would only add exemplars,
        // which we do not record, and would rename the counters' TYPE lines.
        var exposition = endpoints.CreateApplicationBuilder()
            .Use(async (context, next) =>
            {
                await gauges.RefreshAsync(context.RequestAborted);
                await next(context);
            })
            .UseMiddleware<MetricServerMiddleware>(new MetricServerMiddleware.Settings { Registry = registry, EnableOpenMetrics = false })
            .Build();
        endpoints.MapGet("/metrics", exposition).AllowAnonymous().WithTags("Health").WithName("Metrics");
        return endpoints;
    }
}
