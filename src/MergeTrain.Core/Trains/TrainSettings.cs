namespace MergeTrain.Core.Trains;

/// <summary>The per-project settings of a train (SPEC section 7); an input of every decision.</summary>
public sealed record TrainSettings
{
    /// <summary>How many cars at the front of the train get a car commit and a pipeline (minimum 1; 1 is serial).</summary>
    public int MaxParallelPipelines { get; init; } = 20;

    /// <summary>
    /// An adaptive window (issue 13, after Zuul): the number of cars that may start pipelines grows by
    /// one with every car the train merges and halves with every car dropped for its pipeline,
    /// between <see cref="MinParallelPipelines"/> and <see cref="MaxParallelPipelines"/>. Off: always the maximum.
    /// </summary>
    public bool AdaptiveWindow { get; init; }

    /// <summary>
    /// Whether the cars with pipelines stay within the runners (issue 13): while GitLab reports jobs of
    /// the project waiting for a runner (<see cref="RunnerQueueReported"/>), the runners are full, and
    /// no more cars start pipelines than the runners are running (not fewer than
    /// <see cref="MinParallelPipelines"/>). A pipeline started beyond that would only queue, and
    /// ahead of the rebuilt car at the front when a car fails. Once no job waits, the bound is lifted.
    /// Works with the fixed and the adaptive window alike.
    /// </summary>
    public bool WindowFollowsRunners { get; init; }

    /// <summary>The adaptive window's floor, and how many cars still start pipelines while the CI budget is spent (minimum 1).</summary>
    public int MinParallelPipelines { get; init; } = 1;

    /// <summary>
    /// A CI budget (issue 13): the pipeline minutes per hour that speculation may waste (pipelines
    /// thrown away by a rebuild or a drop); 0 is no budget. Once an hour's worth is owed, only the
    /// first <see cref="MinParallelPipelines"/> cars start pipelines (by default the first car, the
    /// one certain to be useful) until the debt has drained.
    /// </summary>
    public int WastedMinutesPerHour { get; init; }

    /// <summary>
    /// Batches (issue 13): up to this many MRs share one pipeline. Each keeps its own car and commit,
    /// chained as usual, but only the last car of a batch runs a pipeline; when it passes, the target
    /// moves to its commit and every MR of the batch is merged. When it fails, the batch is bisected
    /// until the MR that fails is found. 1, the default, tests every MR on its own (GitLab's rule).
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// The smallest batch: batches grow with the queue, to as many MRs as it takes for the pipelines
    /// the train may run to cover every car, between this and <see cref="BatchSize"/>.
    /// </summary>
    public int MinBatchSize { get; init; } = 1;

    /// <summary>How many times a failed car pipeline is retried before the car is dropped.</summary>
    public int FailedPipelineRetries { get; init; }

    /// <summary>
    /// A later green absolves (a MergeTrain extension; 0, GitLab's rule, turns it off): a car whose
    /// pipeline failed for good keeps its place until this many cars behind it have reported. When
    /// one of them passes, its commit (which contains the failed car's changes) is exactly a tested
    /// commit: the target is fast-forwarded to it and every car up to it is merged. When they all
    /// fail, or none is left to report, the failed car is dropped and those behind it are rebuilt.
    /// </summary>
    public int PendingFailureDepth { get; init; }

    /// <summary>
    /// Whether a car whose pipeline failed for good is compared with the commit ahead of it (the car
    /// ahead's commit, or the target head): when every job that failed on the car also failed on the
    /// latest finished pipeline of that commit, the base is broken, the car is not blamed and keeps
    /// its place, and the train pauses until an operator resumes it.
    /// </summary>
    public bool DiagnoseBrokenBase { get; init; }

    /// <summary>
    /// Whether an operator may merge an MR immediately without restarting the train (GitLab's
    /// <c>merge_trains_skip_train_allowed</c>; off by default, as there). The cars with pipelines keep
    /// them; as each reaches the front it is rebuilt on the new target head and tested again, so no
    /// commit reaches the target without a passing pipeline on exactly that commit.
    /// </summary>
    public bool SkipTrainAllowed { get; init; }

    /// <summary>A car pipeline running longer than this is cancelled and treated as failed.</summary>
    public TimeSpan PipelineTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Whether MRs not on the train get merged results pipelines (SPEC section 4).</summary>
    public bool MergedResultsPipelines { get; init; } = true;

    /// <summary>The MR label that puts an MR on the train.</summary>
    public string TrainLabel { get; init; } = "merge-train";

    /// <summary>The MR label that puts an MR on the train with high priority, or raises the priority of its car (a MergeTrain extension).</summary>
    public string PriorityLabel { get; init; } = "merge-train::high";

    /// <summary>Car commits are published as branches <c>&lt;prefix&gt;&lt;target&gt;/&lt;iid&gt;</c>.</summary>
    public string CarBranchPrefix { get; init; } = PublishedBranches.DefaultCarBranchPrefix;

    /// <summary>Throws when a setting is out of range; returns the settings for chaining.</summary>
    public TrainSettings Validate()
    {
        if (MaxParallelPipelines < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParallelPipelines), MaxParallelPipelines, "MaxParallelPipelines must be at least 1.");
        }

        if (MinParallelPipelines < 1 || MinParallelPipelines > MaxParallelPipelines)
        {
            throw new ArgumentOutOfRangeException(nameof(MinParallelPipelines), MinParallelPipelines, "MinParallelPipelines must be between 1 and MaxParallelPipelines.");
        }

        if (WastedMinutesPerHour < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WastedMinutesPerHour), WastedMinutesPerHour, "WastedMinutesPerHour must not be negative.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (MinBatchSize < 1 || MinBatchSize > BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MinBatchSize), MinBatchSize, "MinBatchSize must be between 1 and BatchSize.");
        }

        if (FailedPipelineRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FailedPipelineRetries), FailedPipelineRetries, "FailedPipelineRetries must not be negative.");
        }

        if (PendingFailureDepth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PendingFailureDepth), PendingFailureDepth, "PendingFailureDepth must not be negative.");
        }

        if (PipelineTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PipelineTimeout), PipelineTimeout, "PipelineTimeout must be positive.");
        }

        if (string.IsNullOrWhiteSpace(TrainLabel))
        {
            throw new ArgumentException("TrainLabel must not be empty.", nameof(TrainLabel));
        }

        if (string.IsNullOrWhiteSpace(PriorityLabel) || PriorityLabel == TrainLabel)
        {
            throw new ArgumentException("PriorityLabel must not be empty nor the TrainLabel.", nameof(PriorityLabel));
        }

        if (string.IsNullOrWhiteSpace(CarBranchPrefix))
        {
            throw new ArgumentException("CarBranchPrefix must not be empty.", nameof(CarBranchPrefix));
        }

        return this;
    }

    /// <summary>The branch a car commit is published on for CI, with this project's prefix (<see cref="PublishedBranches.CarBranch"/>).</summary>
    public string CarBranch(string targetBranch, int iid) => PublishedBranches.CarBranch(CarBranchPrefix, targetBranch, iid);

    /// <summary>Reads one of this project's car branches back (<see cref="PublishedBranches.TryParseCarBranch"/>).</summary>
    public bool TryParseCarBranch(string? branch, out string targetBranch, out int iid) =>
        PublishedBranches.TryParseCarBranch(CarBranchPrefix, branch, out targetBranch, out iid);
}
