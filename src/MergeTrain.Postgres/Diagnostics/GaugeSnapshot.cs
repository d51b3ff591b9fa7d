using System.Diagnostics.Metrics;

namespace MergeTrain.Postgres.Diagnostics;

/// <summary>What the gauges report until the next refresh.</summary>
/// <param name="Cars">Active cars by status, project and target branch.</param>
/// <param name="Jobs">Jobs by state.</param>
public sealed record GaugeSnapshot(IReadOnlyList<Measurement<long>> Cars, IReadOnlyList<Measurement<long>> Jobs);
