namespace MergeTrain.Postgres.Dashboard;

/// <summary>One bucket of a chart: when it starts and its value.</summary>
public sealed record ChartPoint(DateTimeOffset Period, double Value);
