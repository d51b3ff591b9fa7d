using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>
/// Something that happened to a train: a user or operator request, a GitLab webhook, or the result of
/// an effect. Results of effects carry the car's <c>Generation</c> (or a commit SHA) so that late,
/// duplicated and out-of-order results are recognised as outdated.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(MergeRequestAdded), "merge_request_added")]
[JsonDerivedType(typeof(MergeRequestRemoved), "merge_request_removed")]
[JsonDerivedType(typeof(AutoMergeRequested), "auto_merge_requested")]
[JsonDerivedType(typeof(MergeRequestUpdated), "merge_request_updated")]
[JsonDerivedType(typeof(MergeRequestClosed), "merge_request_closed")]
[JsonDerivedType(typeof(MergeRequestDrafted), "merge_request_drafted")]
[JsonDerivedType(typeof(MergeRequestMerged), "merge_request_merged")]
[JsonDerivedType(typeof(TargetBranchMoved), "target_branch_moved")]
[JsonDerivedType(typeof(CarBuilt), "car_built")]
[JsonDerivedType(typeof(CarConflicted), "car_conflicted")]
[JsonDerivedType(typeof(CarPublished), "car_published")]
[JsonDerivedType(typeof(CarEffectFailed), "car_effect_failed")]
[JsonDerivedType(typeof(PipelineCreated), "pipeline_created")]
[JsonDerivedType(typeof(PipelineStatusChanged), "pipeline_status_changed")]
[JsonDerivedType(typeof(FastForwardSucceeded), "fast_forward_succeeded")]
[JsonDerivedType(typeof(FastForwardRejected), "fast_forward_rejected")]
[JsonDerivedType(typeof(TimerTicked), "timer_ticked")]
[JsonDerivedType(typeof(TrainPaused), "train_paused")]
[JsonDerivedType(typeof(TrainResumed), "train_resumed")]
[JsonDerivedType(typeof(MergeImmediatelyRequested), "merge_immediately_requested")]
[JsonDerivedType(typeof(MergedImmediately), "merged_immediately")]
[JsonDerivedType(typeof(MergeImmediatelyFailed), "merge_immediately_failed")]
[JsonDerivedType(typeof(MergedResultBuilt), "merged_result_built")]
[JsonDerivedType(typeof(MergedResultConflicted), "merged_result_conflicted")]
[JsonDerivedType(typeof(MergedResultPipelineCreated), "merged_result_pipeline_created")]
[JsonDerivedType(typeof(PipelineRetried), "pipeline_retried")]
[JsonDerivedType(typeof(FailedJobsListed), "failed_jobs_listed")]
[JsonDerivedType(typeof(BaseJobsListed), "base_jobs_listed")]
[JsonDerivedType(typeof(SourcePublished), "source_published")]
[JsonDerivedType(typeof(SourcePublicationRefused), "source_publication_refused")]
[JsonDerivedType(typeof(RunnerQueueReported), "runner_queue_reported")]
public abstract record TrainEvent;

/// <summary>A user asked to add an MR to the train (label, <c>/merge-train</c>, or the REST API).</summary>
/// <param name="MergeRequest">The MR as GitLab reports it now.</param>
/// <param name="PinnedSha">The <c>sha</c> the caller expects the MR head to be; a mismatch is rejected (409).</param>
/// <param name="Actor">Who asked.</param>
public sealed record MergeRequestAdded(MergeRequestSnapshot MergeRequest, string? PinnedSha, string Actor) : TrainEvent
{
    /// <summary>The car's priority; high on an MR already on the train raises its priority (and moves it forward).</summary>
    public CarPriority Priority { get; init; } = CarPriority.Normal;

    /// <summary>
    /// Whether a refusal for a failed merge check is posted on the MR as a note (the label or the
    /// <c>/merge-train</c> comment, whose author sees no answer otherwise) instead of answering the request.
    /// </summary>
    public bool NoteWhenRefused { get; init; }

    /// <summary>The API's <c>squash</c>: whether the MR's commits are squashed when merged; null follows the MR's own setting.</summary>
    public bool? Squash { get; init; }
}

/// <summary>A user removed an MR from the train (label removed, <c>/merge-train cancel</c>, or the REST API).</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Actor">Who asked.</param>
public sealed record MergeRequestRemoved(int Iid, string Actor) : TrainEvent;

/// <summary>
/// Add the MR once its own merged results pipeline passes (the API's <c>auto_merge</c>); at once
/// when it already passed on the current head, or when merged results pipelines are off.
/// </summary>
/// <param name="MergeRequest">The MR as GitLab reports it now.</param>
/// <param name="PinnedSha">The head the caller expects (the API's <c>sha</c>), if any.</param>
/// <param name="Actor">Who asked.</param>
public sealed record AutoMergeRequested(MergeRequestSnapshot MergeRequest, string? PinnedSha, string Actor) : TrainEvent;

/// <summary>An MR hook (open, update, reopen) for an MR targeting this branch, on the train or not.</summary>
/// <param name="MergeRequest">The MR as GitLab reports it now.</param>
/// <param name="OldRev">The hook's <c>oldrev</c>: present when new commits were pushed.</param>
/// <param name="Actor">Who changed the MR.</param>
public sealed record MergeRequestUpdated(MergeRequestSnapshot MergeRequest, string? OldRev, string Actor) : TrainEvent;

/// <summary>An MR was closed.</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Actor">Who closed it.</param>
public sealed record MergeRequestClosed(int Iid, string Actor) : TrainEvent;

/// <summary>An MR was marked draft.</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Actor">Who marked it.</param>
public sealed record MergeRequestDrafted(int Iid, string Actor) : TrainEvent;

/// <summary>GitLab reports an MR merged; by the train's own fast-forward, or by someone else.</summary>
/// <param name="Iid">The MR.</param>
/// <param name="MergeCommitSha">The new target head when known (the push hook also reports it).</param>
/// <param name="Actor">Who merged it.</param>
public sealed record MergeRequestMerged(int Iid, string? MergeCommitSha, string Actor) : TrainEvent;

/// <summary>
/// The target branch moved (push hook, or a fetch); null when the branch was deleted. Report the head as
/// fetched when the event is decided, not a hook's stale <c>after</c>: hooks can arrive late and out of order.
/// </summary>
/// <param name="NewSha">The new head, or null when the branch no longer exists.</param>
/// <param name="Actor">Who pushed.</param>
public sealed record TargetBranchMoved(string? NewSha, string Actor) : TrainEvent;

/// <summary>A car commit was built (result of <see cref="BuildCar"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="BaseSha">The base it was built on.</param>
/// <param name="CommitSha">The car commit.</param>
public sealed record CarBuilt(int Iid, long Generation, string BaseSha, string CommitSha) : TrainEvent
{
    /// <summary>The MR's commits as the car rewrote them (semi-linear, fast-forward, squash); null when the car holds the MR head itself.</summary>
    public string? RewrittenHeadSha { get; init; }
}

/// <summary>A car commit could not be built cleanly (result of <see cref="BuildCar"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="BaseSha">The base it was merged onto.</param>
/// <param name="Paths">The conflicting paths (the first <see cref="TrainNotes.MaxConflictPathsShown"/>).</param>
public sealed record CarConflicted(int Iid, long Generation, string BaseSha, IReadOnlyList<string> Paths) : TrainEvent
{
    /// <summary>How many paths conflicted in all, when more than <see cref="Paths"/> lists; 0 is as many as it lists.</summary>
    public int TotalPaths { get; init; }
}

/// <summary>A car commit was published as its CI branch (result of <see cref="PublishCar"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="CommitSha">The published commit.</param>
public sealed record CarPublished(int Iid, long Generation, string CommitSha) : TrainEvent;

/// <summary>A car effect failed for good (a 4xx from GitLab, a corrupt repository): the car is dropped with <see cref="DropReason.Error"/>.</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Message">What went wrong.</param>
public sealed record CarEffectFailed(int Iid, long Generation, string Message) : TrainEvent;

/// <summary>A car pipeline was created (result of <see cref="StartPipeline"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Attempt">The attempt (0 for the first pipeline, then retries).</param>
/// <param name="PipelineId">GitLab's pipeline id.</param>
/// <param name="WebUrl">The pipeline page.</param>
public sealed record PipelineCreated(int Iid, long Generation, int Attempt, long PipelineId, string? WebUrl) : TrainEvent;

/// <summary>A pipeline hook or poll: any GitLab status of a car or merged-results pipeline.</summary>
/// <param name="PipelineId">GitLab's pipeline id.</param>
/// <param name="Sha">The commit the pipeline runs on.</param>
/// <param name="Ref">The branch it runs on (used to match a pipeline whose creation was not reported yet).</param>
/// <param name="Status">The status.</param>
/// <param name="WebUrl">The pipeline page.</param>
public sealed record PipelineStatusChanged(long PipelineId, string Sha, string? Ref, PipelineStatus Status, string? WebUrl) : TrainEvent;

/// <summary>The target was fast-forwarded (result of <see cref="FastForwardTarget"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="FromSha">The expected old head.</param>
/// <param name="ToSha">The new head, the car commit.</param>
public sealed record FastForwardSucceeded(int Iid, string FromSha, string ToSha) : TrainEvent;

/// <summary>The fast-forward was refused because the target moved (result of <see cref="FastForwardTarget"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="ToSha">The car commit that was not pushed.</param>
/// <param name="CurrentTargetSha">The target head found instead, when known.</param>
public sealed record FastForwardRejected(int Iid, string ToSha, string? CurrentTargetSha) : TrainEvent;

/// <summary>Time passed: pipeline timeouts are enforced.</summary>
public sealed record TimerTicked : TrainEvent;

/// <summary>
/// GitLab's answer to how many jobs of the project wait for a runner (<c>GET /projects/:id/jobs?scope[]=pending</c>),
/// asked every pipeline-polling round when <see cref="TrainSettings.WindowFollowsRunners"/> is on.
/// </summary>
/// <param name="PendingJobs">The jobs of the project that are pending: queued, no runner has taken them.</param>
public sealed record RunnerQueueReported(int PendingJobs) : TrainEvent;

/// <summary>An operator paused the train.</summary>
/// <param name="Actor">The operator.</param>
public sealed record TrainPaused(string Actor) : TrainEvent;

/// <summary>An operator resumed the train.</summary>
/// <param name="Actor">The operator.</param>
public sealed record TrainResumed(string Actor) : TrainEvent;

/// <summary>An operator asked to merge a car now, skipping its pipeline.</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Actor">The operator.</param>
public sealed record MergeImmediatelyRequested(int Iid, string Actor) : TrainEvent
{
    /// <summary>
    /// Keep the train instead of restarting it (allowed by <see cref="TrainSettings.SkipTrainAllowed"/>):
    /// the cars with pipelines keep them and are rebuilt only as each reaches the front.
    /// </summary>
    public bool KeepTrain { get; init; }
}

/// <summary>The immediate merge was pushed (result of <see cref="MergeImmediately"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The request's generation.</param>
/// <param name="CommitSha">The merge commit the target now points at.</param>
public sealed record MergedImmediately(int Iid, long Generation, string CommitSha) : TrainEvent;

/// <summary>The immediate merge failed (result of <see cref="MergeImmediately"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The request's generation.</param>
/// <param name="CurrentTargetSha">When the push was refused because the target moved: the head found.</param>
/// <param name="ConflictPaths">When the merge conflicted: the paths.</param>
/// <param name="Message">What went wrong.</param>
public sealed record MergeImmediatelyFailed(int Iid, long Generation, string? CurrentTargetSha, IReadOnlyList<string> ConflictPaths, string Message) : TrainEvent
{
    /// <summary>How many paths conflicted in all, when more than <see cref="ConflictPaths"/> lists; 0 is as many as it lists.</summary>
    public int TotalConflictPaths { get; init; }
}

/// <summary>A merged-results commit was built and published (result of <see cref="BuildMergedResult"/>).</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="CommitSha">The merged-results commit.</param>
public sealed record MergedResultBuilt(int Iid, long Generation, string CommitSha) : TrainEvent;

/// <summary>A merged-results commit could not be built cleanly (result of <see cref="BuildMergedResult"/>).</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Paths">The conflicting paths (the first <see cref="TrainNotes.MaxConflictPathsShown"/>).</param>
public sealed record MergedResultConflicted(int Iid, long Generation, IReadOnlyList<string> Paths) : TrainEvent
{
    /// <summary>How many paths conflicted in all, when more than <see cref="Paths"/> lists; 0 is as many as it lists.</summary>
    public int TotalPaths { get; init; }
}

/// <summary>A merged-results pipeline was created (result of <see cref="StartMergedResultPipeline"/>).</summary>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="PipelineId">GitLab's pipeline id.</param>
/// <param name="WebUrl">The pipeline page.</param>
public sealed record MergedResultPipelineCreated(int Iid, long Generation, long PipelineId, string? WebUrl) : TrainEvent;

/// <summary>A car pipeline's failed jobs were retried (result of <see cref="RetryPipeline"/>); the pipeline runs again.</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Attempt">The retry.</param>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="FailedJobs">The names of the jobs that had failed and were retried.</param>
public sealed record PipelineRetried(int Iid, long Generation, int Attempt, long PipelineId, IReadOnlyList<string> FailedJobs) : TrainEvent;

/// <summary>The failed jobs of a car pipeline that failed again (result of <see cref="ListFailedJobs"/>).</summary>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="FailedJobs">The names of its failed jobs; empty when GitLab could not say.</param>
public sealed record FailedJobsListed(int Iid, long Generation, long PipelineId, IReadOnlyList<string> FailedJobs) : TrainEvent;

/// <summary>
/// The failed and cancelled jobs of the latest finished pipeline on the commit ahead of a car
/// (<see cref="ListBaseFailedJobs"/>); <paramref name="PipelineId"/> is null when that commit has
/// no finished pipeline, and then nothing is known about the base.
/// </summary>
public sealed record BaseJobsListed(int Iid, long Generation, string BaseSha, long? PipelineId, IReadOnlyList<string> FailedJobs) : TrainEvent;

/// <summary>The MR's source branch now holds the car's rewritten commits (result of <see cref="PublishRewrittenSource"/>).</summary>
public sealed record SourcePublished(int Iid, long Generation, string RewrittenSha) : TrainEvent;

/// <summary>The MR's source branch no longer held the head the car was built from: the author pushed (result of <see cref="PublishRewrittenSource"/>).</summary>
public sealed record SourcePublicationRefused(int Iid, long Generation, string? CurrentSha) : TrainEvent;
