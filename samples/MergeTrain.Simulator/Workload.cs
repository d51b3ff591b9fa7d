namespace MergeTrain.Simulator;

/// <summary>What the simulated team does and how its CI behaves; one row of the table per configuration.</summary>
internal sealed record Workload(
    int MaxParallelPipelines,
    double MrsPerHour,
    double BadProbability,
    double FlakeProbability,
    TimeSpan PipelineMedian,
    double PipelineSpread,
    TimeSpan Duration,
    int Seed);
