namespace MergeTrain.Simulator;

/// <summary>The figures one simulated configuration produced.</summary>
internal sealed record SimulationResult(
    Workload Workload,
    int Merged,
    double MergedPerHour,
    TimeSpan TimeToMergeP50,
    TimeSpan TimeToMergeP95,
    double PipelineMinutesPerMerge,
    double WastedPipelineMinutes,
    int WronglyDropped,
    int WronglyDroppedByFlake,
    int LeftOnTrain,
    long Decisions);
