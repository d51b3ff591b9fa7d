using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>
/// Something the shell must do for a train. <see cref="Key"/> is stable and unique within the train:
/// an executor that records the keys it carried out never does the same thing twice after a crash and
/// a replay of the same decision.
/// </summary>
/// <param name="Key">The idempotency key, unique within the train.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(BuildCar), "build_car")]
[JsonDerivedType(typeof(PublishCar), "publish_car")]
[JsonDerivedType(typeof(StartPipeline), "start_pipeline")]
[JsonDerivedType(typeof(CancelPipeline), "cancel_pipeline")]
[JsonDerivedType(typeof(FastForwardTarget), "fast_forward_target")]
[JsonDerivedType(typeof(DeleteBranch), "delete_branch")]
[JsonDerivedType(typeof(PostNote), "post_note")]
[JsonDerivedType(typeof(SetCommitStatus), "set_commit_status")]
[JsonDerivedType(typeof(BuildMergedResult), "build_merged_result")]
[JsonDerivedType(typeof(StartMergedResultPipeline), "start_merged_result_pipeline")]
[JsonDerivedType(typeof(MergeImmediately), "merge_immediately")]
[JsonDerivedType(typeof(RetryPipeline), "retry_pipeline")]
[JsonDerivedType(typeof(ListFailedJobs), "list_failed_jobs")]
[JsonDerivedType(typeof(ListBaseFailedJobs), "list_base_failed_jobs")]
[JsonDerivedType(typeof(PublishRewrittenSource), "publish_rewritten_source")]
public abstract record TrainEffect(string Key);

/// <summary>
/// Build car commit = merge(<paramref name="BaseSha"/>, <paramref name="HeadSha"/>) with <paramref name="Message"/>,
/// write it to <paramref name="MergeRef"/>; answer <see cref="CarBuilt"/> or <see cref="CarConflicted"/>.
/// When the MR head is already contained in the base (merged meanwhile), answer <see cref="MergeRequestMerged"/> instead.
/// </summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation, to be echoed in the answer.</param>
/// <param name="Position">The car's position (1 = first).</param>
/// <param name="BaseSha">First parent: the car ahead's commit, or the target head for the first car.</param>
/// <param name="HeadSha">Second parent: the MR head pinned when added.</param>
/// <param name="Message">The merge commit message (SPEC section 3).</param>
/// <param name="MergeRef">The ref to write (<c>refs/merge-requests/&lt;iid&gt;/merge</c>).</param>
public sealed record BuildCar(string Key, int Iid, long Generation, int Position, string BaseSha, string HeadSha, string Message, string MergeRef) : TrainEffect(Key)
{
    /// <summary>The target head: the MR's own commits (those a rebase replays or a squash folds) are those the head has and this has not. Null in effects stored before merge methods: the base.</summary>
    public string? UpstreamSha { get; init; }

    /// <summary>Whether the MR asked to be squashed (the API's <c>squash</c>); null: as the MR itself says. The project's <c>squash_option</c> decides in the end.</summary>
    public bool? Squash { get; init; }

    /// <summary>The squash commit's message: GitLab's default template, <c>%{title}</c>.</summary>
    public string? SquashMessage { get; init; }
}

/// <summary>Push the car commit to its CI branch (force: the branch only ever holds car commits); answer <see cref="CarPublished"/>.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="CommitSha">The car commit.</param>
/// <param name="Branch">The CI branch, <c>&lt;CarBranchPrefix&gt;&lt;target&gt;/&lt;iid&gt;</c>.</param>
public sealed record PublishCar(string Key, int Iid, long Generation, string CommitSha, string Branch) : TrainEffect(Key);

/// <summary>Create a pipeline (<c>POST /projects/:id/pipeline</c>); answer <see cref="PipelineCreated"/>.</summary>
/// <param name="Key">The idempotency key: one per car commit and attempt.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Attempt">0 for the first pipeline, then retries.</param>
/// <param name="Ref">The CI branch.</param>
/// <param name="Sha">The car commit the branch holds.</param>
/// <param name="Variables">The pipeline variables (<c>MERGE_TRAIN_IID</c>, <c>MERGE_TRAIN_TARGET_BRANCH</c>, <c>MERGE_TRAIN_POSITION</c>).</param>
public sealed record StartPipeline(string Key, int Iid, long Generation, int Attempt, string Ref, string Sha, IReadOnlyDictionary<string, string> Variables) : TrainEffect(Key);

/// <summary>Cancel a pipeline the train no longer needs; its later events are ignored.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="Iid">The MR it belonged to.</param>
/// <param name="Reason">Why.</param>
public sealed record CancelPipeline(string Key, long PipelineId, int Iid, string Reason) : TrainEffect(Key);

/// <summary>Fast-forward-only push of the target from <paramref name="FromSha"/> to <paramref name="ToSha"/> (compare-and-swap);
/// answer <see cref="FastForwardSucceeded"/> or <see cref="FastForwardRejected"/>.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="TargetBranch">The target branch.</param>
/// <param name="FromSha">The head the target must still have.</param>
/// <param name="ToSha">The car commit whose pipeline passed.</param>
public sealed record FastForwardTarget(string Key, int Iid, string TargetBranch, string FromSha, string ToSha) : TrainEffect(Key);

/// <summary>Delete a CI branch of a car or merged result (no error if it is gone).</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Branch">The branch.</param>
public sealed record DeleteBranch(string Key, int Iid, string Branch) : TrainEffect(Key);

/// <summary>Post a note on the MR (<c>POST /projects/:id/merge_requests/:iid/notes</c>).</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Body">The note.</param>
public sealed record PostNote(string Key, int Iid, string Body) : TrainEffect(Key);

/// <summary>Set a commit status named <see cref="StatusName"/> (<c>POST /projects/:id/statuses/:sha</c>).</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Sha">The commit (the MR head).</param>
/// <param name="State">The state.</param>
/// <param name="TargetUrl">The pipeline page, when known.</param>
/// <param name="Description">A short description.</param>
public sealed record SetCommitStatus(string Key, int Iid, string Sha, CommitState State, string? TargetUrl, string Description) : TrainEffect(Key)
{
    /// <summary>The name of every commit status the service sets.</summary>
    public const string StatusName = "merge-train";
}

/// <summary>
/// Build merge(<paramref name="BaseSha"/>, <paramref name="HeadSha"/>), write it to <paramref name="MergeRef"/> and
/// publish it on <paramref name="Branch"/>; answer <see cref="MergedResultBuilt"/> or <see cref="MergedResultConflicted"/>.
/// </summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="BaseSha">The target head.</param>
/// <param name="HeadSha">The MR head.</param>
/// <param name="Message">The merge commit message.</param>
/// <param name="MergeRef">The ref to write.</param>
/// <param name="Branch">The CI branch, <c>merged-results/&lt;iid&gt;</c>.</param>
public sealed record BuildMergedResult(string Key, int Iid, long Generation, string BaseSha, string HeadSha, string Message, string MergeRef, string Branch) : TrainEffect(Key);

/// <summary>Create a merged-results pipeline; answer <see cref="MergedResultPipelineCreated"/>.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Ref">The CI branch.</param>
/// <param name="Sha">The merged-results commit.</param>
public sealed record StartMergedResultPipeline(string Key, int Iid, long Generation, string Ref, string Sha) : TrainEffect(Key);

/// <summary>
/// Operator override: build merge(<paramref name="BaseSha"/>, <paramref name="HeadSha"/>) and push it to the target
/// with a compare-and-swap from <paramref name="BaseSha"/>; answer <see cref="MergedImmediately"/> or <see cref="MergeImmediatelyFailed"/>.
/// </summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The MR.</param>
/// <param name="Generation">The request's generation.</param>
/// <param name="TargetBranch">The target branch.</param>
/// <param name="BaseSha">The target head.</param>
/// <param name="HeadSha">The MR head.</param>
/// <param name="Message">The merge commit message.</param>
public sealed record MergeImmediately(string Key, int Iid, long Generation, string TargetBranch, string BaseSha, string HeadSha, string Message) : TrainEffect(Key);

/// <summary>
/// Name the failed jobs of a car pipeline, then retry them (<c>POST /projects/:id/pipelines/:pipeline_id/retry</c>);
/// answer <see cref="PipelineRetried"/>. The car keeps its place and commit meanwhile.
/// </summary>
/// <param name="Key">The idempotency key: one per car commit and attempt.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="Attempt">The retry (1 for the first).</param>
/// <param name="PipelineId">The failed pipeline.</param>
public sealed record RetryPipeline(string Key, int Iid, long Generation, int Attempt, long PipelineId) : TrainEffect(Key);

/// <summary>Name the failed jobs of a car pipeline that failed again after its retries; answer <see cref="FailedJobsListed"/>.</summary>
/// <param name="Key">The idempotency key.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="Generation">The build's generation.</param>
/// <param name="PipelineId">The failed pipeline.</param>
public sealed record ListFailedJobs(string Key, int Iid, long Generation, long PipelineId) : TrainEffect(Key);

/// <summary>
/// Name the failed and cancelled jobs of the latest finished pipeline on <paramref name="BaseSha"/>,
/// the commit ahead of a car whose pipeline failed again (<c>DiagnoseBrokenBase</c>); answered by
/// <see cref="BaseJobsListed"/>, whose pipeline id is null when the commit has no finished pipeline.
/// </summary>
public sealed record ListBaseFailedJobs(string Key, int Iid, long Generation, string BaseSha) : TrainEffect(Key);

/// <summary>
/// Replace the MR's source branch with the car's rewritten (rebased or squashed) commits, so that
/// GitLab sees the MR merged once the target holds the car; only while the branch still holds
/// <paramref name="ExpectedSha"/>, the head the car was built from. Answered by
/// <see cref="SourcePublished"/>, or <see cref="SourcePublicationRefused"/> when the author pushed meanwhile.
/// </summary>
public sealed record PublishRewrittenSource(string Key, int Iid, long Generation, string SourceBranch, string ExpectedSha, string RewrittenSha) : TrainEffect(Key);
