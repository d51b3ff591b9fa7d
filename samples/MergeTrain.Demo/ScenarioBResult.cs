namespace MergeTrain.Demo;

/// <summary>What scenario B did: the merge requests, the pipelines of their cars and the drop note.</summary>
public sealed record ScenarioBResult(
    long FirstIid,
    long SecondIid,
    long FirstCarPipelineId,
    long SecondCarPipelineId,
    string DropNote,
    long FixedCarPipelineId,
    TimeSpan Elapsed);
