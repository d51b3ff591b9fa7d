using System.Diagnostics.Metrics;
using MergeTrain.Postgres.Diagnostics;

namespace MergeTrain.Application.Diagnostics;

/// <summary>
/// The service's instruments (SPEC section 6), on one <see cref="Meter"/> that the server's
/// Prometheus endpoint listens to. Counters and histograms are recorded where things happen;
/// the gauges read a snapshot that the endpoint refreshes from the database before each scrape.
/// </summary>
public static class MergeTrainMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MergeTrain";

    private static readonly Meter Meter = new(MeterName);
    private static volatile GaugeSnapshot _snapshot = new([], []);

    /// <summary>MRs merged by a train.</summary>
    public static readonly Counter<long> Merges = Meter.CreateCounter<long>("mergetrain_merges_total", description: "Merge requests merged by a train.");

    /// <summary>Cars dropped, by reason.</summary>
    public static readonly Counter<long> CarsDropped = Meter.CreateCounter<long>("mergetrain_cars_dropped_total", description: "Cars dropped from a train, by reason.");

    /// <summary>Webhook deliveries refused before anything was stored, by reason.</summary>
    public static readonly Counter<long> WebhooksRefused = Meter.CreateCounter<long>(
        "mergetrain_webhooks_refused_total", description: "Webhook deliveries refused unread and unstored (wrong secret, too large), by reason.");

    /// <summary>From added to merged.</summary>
    public static readonly Histogram<double> TimeToMerge = Meter.CreateHistogram<double>("mergetrain_time_to_merge_seconds", "s", "From joining a train to being merged.");

    /// <summary>Pipeline time spent on cars.</summary>
    public static readonly Counter<double> PipelineSeconds = Meter.CreateCounter<double>("mergetrain_pipeline_seconds_total", "s", "Pipeline time spent on car commits.");

    /// <summary>Pipeline time whose result was cancelled or thrown away.</summary>
    public static readonly Counter<double> PipelineWastedSeconds = Meter.CreateCounter<double>(
        "mergetrain_pipeline_wasted_seconds_total", "s", "Pipeline time cancelled or thrown away (the car was rebuilt or dropped while it ran).");

    /// <summary>Failed CI jobs the train retried in place, by project, job name and outcome (passed_on_retry, failed_again).</summary>
    public static readonly Counter<long> FlakyJobRetries = Meter.CreateCounter<long>(
        "mergetrain_flaky_job_retries_total", description: "Failed CI jobs of car pipelines retried in place, by job and outcome (passed_on_retry: flaky; failed_again).");

    /// <summary>How long a job waited from due to started.</summary>
    public static readonly Histogram<double> JobStartLatency = Meter.CreateHistogram<double>("mergetrain_job_start_latency_seconds", "s", "From a job being due to a worker starting it.");

    static MergeTrainMetrics()
    {
        Meter.CreateObservableGauge("mergetrain_cars", () => _snapshot.Cars, description: "Active cars, by status.");
        Meter.CreateObservableGauge("mergetrain_jobs", () => _snapshot.Jobs, description: "Jobs, by state (Hangfire's names).");
    }

    /// <summary>Replaces what the gauges report.</summary>
    public static void UpdateGauges(GaugeSnapshot snapshot) => _snapshot = snapshot;
}
