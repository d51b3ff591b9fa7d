namespace MergeTrain.Simulator;

/// <summary>The figures one simulated workload under one policy produced.</summary>
internal sealed record SimulationResult(
    Workload Workload,
    Policy Policy,
    int Merged,
    double MergedPerHour,
    TimeSpan TimeToMergeP50,
    TimeSpan TimeToMergeP95,
    TimeSpan UrgentTimeToMergeP50,
    int UrgentMerged,
    double PipelineMinutesPerMerge,
    double WastedPipelineMinutes,
    int WronglyDropped,
    int WronglyDroppedByFlake,
    int Retries,
    int BrokenTargets,
    int LeftOnTrain,
    long Decisions,
    TimeSpan Elapsed)
{
    /// <summary>How many failed batches were set aside to be searched off the chain.</summary>
    public int SetAside { get; init; }
}
