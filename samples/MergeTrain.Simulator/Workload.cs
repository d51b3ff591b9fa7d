namespace MergeTrain.Simulator;

/// <summary>What the simulated team does and how its CI behaves; one row of a table per workload.</summary>
/// <param name="MrsPerHour">The mean arrival rate (Poisson).</param>
/// <param name="BadProbability">The share of MRs that break a job until their author fixes them.</param>
/// <param name="FlakeProbability">The chance that a pipeline run (first or retry) fails one job by a flake.</param>
/// <param name="UrgentProbability">The share of MRs that are urgent (always good: a hotfix already tested on its own).</param>
/// <param name="PipelineMedian">The median duration of a pipeline running every job (log-normal).</param>
/// <param name="PipelineSpread">The log-normal's sigma.</param>
/// <param name="Duration">How long the team works.</param>
/// <param name="Seed">The seed of every random choice.</param>
/// <param name="Runners">How many pipelines the runners can run at once (0: as many as asked); the others wait, pending.</param>
/// <param name="Trace">A recorded history to replay; when set, its MRs replace the random arrivals, bad draws, flakes and durations.</param>
internal sealed record Workload(
    double MrsPerHour,
    double BadProbability,
    double FlakeProbability,
    double UrgentProbability,
    TimeSpan PipelineMedian,
    double PipelineSpread,
    TimeSpan Duration,
    int Seed,
    int Runners = 0,
    Trace? Trace = null);
