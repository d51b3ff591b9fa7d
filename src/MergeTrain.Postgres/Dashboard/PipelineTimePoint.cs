namespace MergeTrain.Postgres.Dashboard;

/// <summary>Pipeline time of one bucket: seconds spent, and how many of them were wasted.</summary>
public sealed record PipelineTimePoint(DateTimeOffset Period, double SpentSeconds, double WastedSeconds);
