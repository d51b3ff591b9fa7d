namespace MergeTrain.Postgres.Diagnostics;

/// <summary>What the cluster-wide gauges report, as read from the database at one moment.</summary>
/// <param name="Cars">Active (unfinished) cars, one entry per status, project and target branch that has any.</param>
/// <param name="Jobs">Hangfire's job counts, one entry per state its dashboard shows.</param>
public sealed record GaugeReading(IReadOnlyList<ActiveCarCount> Cars, IReadOnlyList<JobStateCount> Jobs);
