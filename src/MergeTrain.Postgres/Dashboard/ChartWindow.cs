namespace MergeTrain.Postgres.Dashboard;

/// <summary>The period a chart covers, cut into buckets of <paramref name="Bucket"/> starting at <paramref name="Since"/>.</summary>
public sealed record ChartWindow(DateTimeOffset Since, DateTimeOffset Until, TimeSpan Bucket);
