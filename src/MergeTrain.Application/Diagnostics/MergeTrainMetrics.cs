using System.Diagnostics.Metrics;

namespace MergeTrain.Application.Diagnostics;

/// <summary>
/// The service's counters and histograms (SPEC section 6), on one <see cref="Meter"/>: each is
/// defined here once, with its Prometheus name, help text and (for histograms) bucket bounds, and
/// recorded where things happen. The server carries them into prometheus-net. The two gauges,
/// active cars and jobs, describe the cluster rather than one instance and are read from the
/// database at each scrape, so they live beside that query in the server (ClusterGauges).
/// </summary>
public static class MergeTrainMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MergeTrain";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>MRs merged by a train.</summary>
    public static readonly Counter<long> Merges = Meter.CreateCounter<long>("mergetrain_merges_total", description: "Merge requests merged by a train.");

    /// <summary>Cars dropped, by reason.</summary>
    public static readonly Counter<long> CarsDropped = Meter.CreateCounter<long>("mergetrain_cars_dropped_total", description: "Cars dropped from a train, by reason.");

    /// <summary>Webhook deliveries refused before anything was stored, by reason.</summary>
    public static readonly Counter<long> WebhooksRefused = Meter.CreateCounter<long>(
        "mergetrain_webhooks_refused_total", description: "Webhook deliveries refused unread and unstored (wrong secret, too large), by reason.");

    /// <summary>From added to merged.</summary>
    public static readonly Histogram<double> TimeToMerge = Meter.CreateHistogram(
        "mergetrain_time_to_merge_seconds", "s", "From joining a train to being merged.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400] });

    /// <summary>Pipeline time spent on cars.</summary>
    public static readonly Counter<double> PipelineSeconds = Meter.CreateCounter<double>("mergetrain_pipeline_seconds_total", "s", "Pipeline time spent on car commits.");

    /// <summary>Pipeline time whose result was cancelled or thrown away.</summary>
    public static readonly Counter<double> PipelineWastedSeconds = Meter.CreateCounter<double>(
        "mergetrain_pipeline_wasted_seconds_total", "s", "Pipeline time cancelled or thrown away (the car was rebuilt or dropped while it ran).");

    /// <summary>Failed CI jobs the train retried in place, by project, job name and outcome (passed_on_retry, failed_again).</summary>
    public static readonly Counter<long> FlakyJobRetries = Meter.CreateCounter<long>(
        "mergetrain_flaky_job_retries_total", description: "Failed CI jobs of car pipelines retried in place, by job and outcome (passed_on_retry: flaky; failed_again).");

    /// <summary>How long a job waited from due to started.</summary>
    public static readonly Histogram<double> JobStartLatency = Meter.CreateHistogram(
        "mergetrain_job_start_latency_seconds", "s", "From a job being due to a worker starting it.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
}
