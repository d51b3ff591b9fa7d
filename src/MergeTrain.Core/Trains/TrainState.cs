namespace MergeTrain.Core.Trains;

/// <summary>
/// Everything the engine knows about one train, (project, target branch). Plain data only, so it
/// serialises to JSON as is; every decision returns a new one.
/// </summary>
public sealed record TrainState
{
    /// <summary>How many finished cars the state keeps; the full history is in <see cref="Decision.Finished"/> and the audit log.</summary>
    public const int FinishedCarsKept = 100;

    /// <summary>How many commits the train pushed to the target are remembered, to recognise late push hooks.</summary>
    public const int ProducedCommitsKept = 200;

    /// <summary>How many retired pipelines are remembered, so their late events are never read as failures.</summary>
    public const int RetiredPipelinesKept = 500;

    /// <summary>GitLab's numeric project id.</summary>
    public required long ProjectId { get; init; }

    /// <summary>The project path (<c>group/project</c>), used in merge messages.</summary>
    public required string ProjectPath { get; init; }

    /// <summary>The target branch of the train.</summary>
    public required string TargetBranch { get; init; }

    /// <summary>The target branch head as last known; null when the branch does not exist.</summary>
    public string? TargetHeadSha { get; init; }

    /// <summary>Whether an operator paused the train.</summary>
    public bool Paused { get; init; }

    /// <summary>The active cars, first car first.</summary>
    public IReadOnlyList<Car> Cars { get; init; } = [];

    /// <summary>The most recently finished cars (merged, skip_merged, dropped), oldest first.</summary>
    public IReadOnlyList<Car> Finished { get; init; } = [];

    /// <summary>Merged results of MRs targeting this branch that are not on the train.</summary>
    public IReadOnlyList<MergedResult> MergedResults { get; init; } = [];

    /// <summary>Commits the train itself pushed to the target branch, most recent last.</summary>
    public IReadOnlyList<string> ProducedCommits { get; init; } = [];

    /// <summary>Pipelines the train is done with (it cancelled them, acted on their result, or threw them away), most recent last; their late events are ignored.</summary>
    public IReadOnlyList<long> RetiredPipelines { get; init; } = [];

    /// <summary>The next train-unique build generation.</summary>
    public long NextGeneration { get; init; } = 1;

    /// <summary>The next train-unique sequence number for effect keys that have no generation.</summary>
    public long NextSequence { get; init; } = 1;

    /// <summary>The number of MRs merged by this train.</summary>
    public long MergedCount { get; init; }

    /// <summary>The number of cars dropped from this train.</summary>
    public long DroppedCount { get; init; }

    /// <summary>The adaptive window: how many cars may start pipelines now; null is <see cref="TrainSettings.MaxParallelPipelines"/>.</summary>
    public int? Window { get; init; }

    /// <summary>
    /// How many pipelines the runners run for the train, as of the last time GitLab reported jobs of
    /// the project waiting for a runner (<see cref="TrainSettings.WindowFollowsRunners"/>); null while none wait.
    /// </summary>
    public int? RunnerCapacity { get; init; }

    /// <summary>Wasted pipeline seconds the CI budget has not yet paid off, as of <see cref="WasteDebtAt"/>.</summary>
    public double WasteDebtSeconds { get; init; }

    /// <summary>When <see cref="WasteDebtSeconds"/> was last counted.</summary>
    public DateTimeOffset? WasteDebtAt { get; init; }

    /// <summary>A new, empty train.</summary>
    public static TrainState Create(long projectId, string projectPath, string targetBranch, string? targetHeadSha) =>
        new()
        {
            ProjectId = projectId,
            ProjectPath = projectPath,
            TargetBranch = targetBranch,
            TargetHeadSha = targetHeadSha,
        };

    /// <summary>
    /// The car whose pipeline tests a batched car (<see cref="CarStage.Batched"/>): the first car
    /// behind it that is not batched; null for a car that is not batched.
    /// </summary>
    public Car? BatchPipelineCarOf(int iid)
    {
        var behind = false;
        foreach (var car in Cars)
        {
            if (behind && car.Stage != CarStage.Batched)
            {
                return car;
            }

            if (car.Iid == iid)
            {
                if (car.Stage != CarStage.Batched)
                {
                    return null;
                }

                behind = true;
            }
        }

        return null;
    }

    /// <summary>The active car of an MR, or null.</summary>
    public Car? FindCar(int iid)
    {
        foreach (var car in Cars)
        {
            if (car.Iid == iid)
            {
                return car;
            }
        }

        return null;
    }
}
