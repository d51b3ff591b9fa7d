namespace MergeTrain.Core.Trains;

/// <summary>One MR on a train (SPEC section 2): its pinned head, its current car commit and pipeline, and how it ended.</summary>
public sealed record Car
{
    /// <summary>The MR's project-scoped id.</summary>
    public required int Iid { get; init; }

    /// <summary>The MR title, as when added.</summary>
    public required string Title { get; init; }

    /// <summary>The MR source branch.</summary>
    public required string SourceBranch { get; init; }

    /// <summary>The MR head commit pinned when the car was added.</summary>
    public required string HeadSha { get; init; }

    /// <summary>Who added the MR to the train.</summary>
    public required string AddedBy { get; init; }

    /// <summary>When the MR was added.</summary>
    public required DateTimeOffset AddedAt { get; init; }

    /// <summary>When the car last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The car's status (GitLab's names).</summary>
    public CarStatus Status { get; init; } = CarStatus.Idle;

    /// <summary>Where the car is in its build-publish-pipeline cycle.</summary>
    public CarStage Stage { get; init; } = CarStage.Waiting;

    /// <summary>The train-unique number of the current build; results of other builds are outdated.</summary>
    public long Generation { get; init; }

    /// <summary>The commit the current build merges onto (the car ahead's commit, or the target head).</summary>
    public string? BaseSha { get; init; }

    /// <summary>The current car commit, once built.</summary>
    public string? CommitSha { get; init; }

    /// <summary>Retries spent on the current car commit's pipeline.</summary>
    public int Attempt { get; init; }

    /// <summary>The current (or, for a finished car, the last) pipeline.</summary>
    public PipelineSnapshot? Pipeline { get; init; }

    /// <summary>When the current pipeline was requested; the pipeline timeout counts from here.</summary>
    public DateTimeOffset? PipelineRequestedAt { get; init; }

    /// <summary>How many times the car was thrown away and rebuilt.</summary>
    public int Rebuilds { get; init; }

    /// <summary>The commit a fast-forward of the target was requested to and not yet answered.</summary>
    public string? PendingFastForwardSha { get; init; }

    /// <summary>The pipeline that passed on <see cref="PendingFastForwardSha"/>.</summary>
    public long? PendingFastForwardPipelineId { get; init; }

    /// <summary>An ending that arrived while a merge was in flight; applied if the merge fails.</summary>
    public CarEnding? PendingEnding { get; init; }

    /// <summary>How urgent the car is: a high-priority car overtakes normal cars that have not started merging.</summary>
    public CarPriority Priority { get; init; } = CarPriority.Normal;

    /// <summary>Whether an operator asked to merge it immediately.</summary>
    public bool MergeImmediately { get; init; }

    /// <summary>The operator who asked to merge it immediately.</summary>
    public string? MergeImmediatelyBy { get; init; }

    /// <summary>Whether its immediate merge keeps the train (<see cref="MergeImmediatelyRequested.KeepTrain"/>).</summary>
    public bool MergeImmediatelyKeepsTrain { get; init; }

    /// <summary>
    /// Kept from before an immediate merge that did not restart the train: its pipeline goes on, on
    /// commits that no longer lead from the target head, so it tells early whether the MR fails, but
    /// its commit can never be merged. It is rebuilt on the target head when it reaches the front.
    /// </summary>
    public bool Stale { get; init; }

    /// <summary>Why a dropped car was dropped.</summary>
    public DropReason? DropReason { get; init; }

    /// <summary>A human-readable account of how the car ended.</summary>
    public string? Detail { get; init; }

    /// <summary>The conflicting paths of a car dropped for a merge conflict (at most 10).</summary>
    public IReadOnlyList<string> ConflictPaths { get; init; } = [];

    /// <summary>The commit the target branch was moved to when the car merged.</summary>
    public string? MergedSha { get; init; }

    /// <summary>When the car was merged or dropped.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Who ended the car (merged, removed, closed it).</summary>
    public string? FinishedBy { get; init; }

    /// <summary>The jobs of the current pipeline that failed and were retried (GitLab's pipeline retry), in order.</summary>
    public IReadOnlyList<string> RetriedJobs { get; init; } = [];

    /// <summary>
    /// The jobs that failed on the current pipeline when it failed for good, as GitLab named them;
    /// compared with the commit ahead's when <c>DiagnoseBrokenBase</c> is on.
    /// </summary>
    public IReadOnlyList<string> FailedJobs { get; init; } = [];

    /// <summary>
    /// The drop a pipeline that failed for good would cause, held while the base is checked or while
    /// a later green may still absolve the car (<see cref="CarStage.CheckingBase"/>, <see cref="CarStage.FailurePending"/>).
    /// </summary>
    public CarEnding? PendingFailure { get; init; }

    /// <summary>Whether the MR asked to be squashed when it was added (the API's <c>squash</c>); null follows the MR's own setting.</summary>
    public bool? Squash { get; init; }

    /// <summary>
    /// The MR's commits as the current car commit rewrote them (rebased for semi-linear or
    /// fast-forward merges, or squashed); the target will contain this instead of the MR head, so it
    /// is published on the source branch before the fast-forward. Null when the car holds the MR head.
    /// </summary>
    public string? RewrittenHeadSha { get; init; }

    /// <summary>Whether the publication of <see cref="RewrittenHeadSha"/> on the source branch was requested and not yet answered.</summary>
    public bool PublishingSource { get; init; }

    /// <summary>
    /// Whether the car's pipeline failed while a car ahead of it had failed and was still being retried
    /// or held: its commit contains that car's changes, so the failure is judged only once the cars
    /// ahead are, and then as the car's own.
    /// </summary>
    public bool FailureHeld { get; init; }

    /// <summary>
    /// Whether the car's pipeline was started to bisect a batch that failed: it tests the first half
    /// of the batch, inside the batch's place in the window.
    /// </summary>
    public bool BisectionProbe { get; init; }

    /// <summary>
    /// Whether the car's pipeline failed for good with batched cars ahead of it: one of them, or the
    /// car itself, is to blame, and the batch is being bisected. The failure is judged as the car's
    /// own once the pipeline of the car just ahead of it has passed.
    /// </summary>
    public bool Bisecting { get; init; }

    /// <summary>
    /// Set while the car is off the train: its batch failed with cars behind it, which were rebuilt
    /// without it at once, and it waits, with the rest of its batch, at the end of the car list while
    /// probes find the MR that fails. Null for a car on the chain.
    /// </summary>
    public SetAside? SetAside { get; init; }
}
