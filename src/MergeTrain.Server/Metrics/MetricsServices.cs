namespace MergeTrain.Server.Metrics;

/// <summary>
/// Registers this host's Prometheus registry, the bridge from the service's meter into it and the
/// cluster gauges. Each host has a registry of its own (not prometheus-net's process-wide default),
/// so its counters start at zero with it, and the default registry's process and runtime metrics
/// stay out of <c>/metrics</c>, as before.
/// </summary>
public static class MetricsServices
{
    /// <summary>Adds the registry, <see cref="MeterBridge"/> and <see cref="ClusterGauges"/>.</summary>
    public static IServiceCollection AddMergeTrainMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        services.AddSingleton<MeterBridge>();
        services.AddSingleton<ClusterGauges>();
        return services;
    }
}
