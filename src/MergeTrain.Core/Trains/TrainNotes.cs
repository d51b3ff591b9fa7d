using System.Text;

namespace MergeTrain.Core.Trains;

/// <summary>The texts the train posts on MRs (SPEC section 3) and its merge commit message.</summary>
public static class TrainNotes
{
    /// <summary>How many conflicting paths a note lists.</summary>
    public const int MaxConflictPathsShown = 10;

    /// <summary>How a drop's detail says the MR was found to fail by bisecting a batch.</summary>
    public const string FoundByBisection = "found by bisecting its batch";

    /// <summary>The note on the first car of a train.</summary>
    public const string StartedTrain = "started a merge train";

    /// <summary>The note when an MR will join the train once its merged results pipeline passes (<c>auto_merge</c>).</summary>
    public const string AutoMergeSet = "set this merge request to join the merge train when its merged results pipeline succeeds";

    /// <summary>The note when a pending auto-merge is cancelled.</summary>
    public static string AutoMergeCancelled(string actor) => $"cancelled the automatic addition to the merge train ({actor})";

    /// <summary>The note when a label or <c>/merge-train</c> comment asked to add an MR that fails a merge check.</summary>
    public static string NotAdded(string reason) => $"could not add this merge request to the merge train: {reason}";

    /// <summary>The note when an MR joins behind other cars.</summary>
    public static string AddedAtPosition(int position) => $"added this merge request to the merge train at position {position}";

    /// <summary>The note when an MR joins with high priority, ahead of normal cars that have not started merging.</summary>
    public static string AddedWithHighPriority(int position) => $"added this merge request to the merge train at position {position} with high priority";

    /// <summary>The note when a car's priority is raised to high: it moved forward, or it keeps its position.</summary>
    public static string PriorityRaised(int from, int to) => from == to
        ? $"raised this merge request to high priority; it keeps position {to} of the merge train"
        : $"raised this merge request to high priority: moved from position {from} to position {to} of the merge train";

    /// <summary>The note when the train merged the MR; <paramref name="together"/> counts it and the MRs batched ahead of it.</summary>
    public static string MergedByTrain(long? pipelineId, int together = 1) =>
        (pipelineId is { } id ? $"merged by the merge train (pipeline #{id})" : "merged by the merge train")
        + (together > 1 ? $", with the {together - 1} merge request(s) batched ahead of it that its pipeline tested" : "");

    /// <summary>The note when an MR merged in a batch: the pipeline of a car behind it tested the commit the target now holds.</summary>
    public static string MergedInBatch(int testerIid, long? pipelineId, int together) =>
        $"merged by the merge train in a batch of {together}: pipeline{(pipelineId is { } id ? $" #{id}" : "")} of !{testerIid} tested exactly the commit the target branch now holds, which contains these changes";

    /// <summary>The note when an operator merged the MR immediately.</summary>
    public static string MergedImmediately(string actor) => $"merged immediately by {actor}, skipping the merge train pipeline";

    /// <summary>The note when an operator merged the MR immediately and kept the train.</summary>
    public static string MergedImmediatelyKeepingTrain(string actor) =>
        $"merged immediately by {actor}, skipping the merge train pipeline; the train was not restarted: each car behind is tested again on the new target when it reaches the front";

    /// <summary>The note when a car's pipeline passed after its failed jobs were retried.</summary>
    public static string PassedOnRetry(long pipelineId, IReadOnlyList<string> flakyJobs) =>
        $"pipeline #{pipelineId} passed on retry; flaky jobs: {JobList(flakyJobs)}. The merge request keeps its place on the merge train";

    /// <summary>The drop detail when a car's pipeline failed again after its failed jobs were retried.</summary>
    public static string FailedAgain(long pipelineId, IReadOnlyList<string> failedAgain, IReadOnlyList<string> passedOnRetry)
    {
        var text = failedAgain.Count == 0
            ? $"pipeline #{pipelineId} failed again after a retry"
            : $"pipeline #{pipelineId} failed again after a retry; jobs that failed again: {JobList(failedAgain)}";
        return passedOnRetry.Count == 0 ? text : text + $"; passed on retry: {JobList(passedOnRetry)}";
    }

    /// <summary>The drop detail when a car's pipeline failed and its failed jobs were named (no retry was made).</summary>
    public static string Failed(long pipelineId, IReadOnlyList<string> failedJobs) =>
        failedJobs.Count == 0 ? $"pipeline #{pipelineId} failed" : $"pipeline #{pipelineId} failed; failed jobs: {JobList(failedJobs)}";

    /// <summary>The note when a car whose pipeline failed is merged because a later car containing its changes passed.</summary>
    public static string Absolved(long? failedPipelineId, int laterIid, long? laterPipelineId) =>
        $"merged by the merge train: its pipeline{(failedPipelineId is { } failed ? $" #{failed}" : "")} failed, but pipeline{(laterPipelineId is { } later ? $" #{later}" : "")} of !{laterIid}, "
        + "which contains these changes, passed, and the target branch now holds exactly that tested commit (a later green absolves)";

    /// <summary>The note when a car's failure is the base's: the same jobs fail on the commit ahead of it.</summary>
    public static string BaseBroken(long pipelineId, IReadOnlyList<string> failedJobs, string baseSha, long basePipelineId, string targetBranch) =>
        $"pipeline #{pipelineId} failed, but the same jobs ({JobList(failedJobs)}) also fail on the commit ahead of it "
        + $"({(baseSha.Length > 8 ? baseSha[..8] : baseSha)}, pipeline #{basePipelineId}): the base is broken, not this merge request. "
        + $"It keeps its place; the merge train is paused until '{targetBranch}' is fixed and an operator resumes it";

    /// <summary>A squash commit's message: GitLab's default squash commit template, <c>%{title}</c>.</summary>
    public static string SquashMessage(string title) => title;

    /// <summary>Job names as a note lists them.</summary>
    public static string JobList(IReadOnlyList<string> jobs) => jobs.Count == 0 ? "(not named by GitLab)" : string.Join(", ", jobs);

    /// <summary>The merge commit message of a car or merged result (SPEC section 3).</summary>
    public static string MergeMessage(string sourceBranch, string targetBranch, string title, string projectPath, int iid) =>
        $"Merge branch '{sourceBranch}' into '{targetBranch}'\n\n{title}\n\nSee merge request {projectPath}!{iid}";

    /// <summary>The note when a car is dropped, with its reason.</summary>
    public static string Dropped(DropReason reason, string detail, IReadOnlyList<string> conflictPaths, int totalConflictPaths = 0)
    {
        var text = reason switch
        {
            DropReason.PipelineFailed => $"removed this merge request from the merge train because the pipeline did not succeed ({detail})",
            DropReason.PipelineTimeout => $"removed this merge request from the merge train because the pipeline did not finish in time ({detail})",
            DropReason.MergeConflict => "removed this merge request from the merge train because it has merge conflicts with the commits ahead of it",
            DropReason.SourceUpdated => "removed this merge request from the merge train because the source branch was updated",
            DropReason.Closed => "removed this merge request from the merge train because it was closed",
            DropReason.Draft => "removed this merge request from the merge train because it was marked as draft",
            DropReason.RemovedByUser => $"removed this merge request from the merge train ({detail})",
            DropReason.NotMergeable => $"removed this merge request from the merge train because it can no longer be merged: {detail}",
            DropReason.TargetMissing => $"removed this merge request from the merge train because the target branch no longer exists ({detail})",
            _ => $"removed this merge request from the merge train because of an error: {detail}",
        };
        return conflictPaths.Count == 0 ? text : text + ConflictList(conflictPaths, totalConflictPaths);
    }

    /// <summary>The note when an MR's merged result conflicts with the target branch.</summary>
    public static string MergedResultConflict(string targetBranch, IReadOnlyList<string> conflictPaths, int totalConflictPaths = 0) =>
        $"this merge request cannot be merged into '{targetBranch}' without conflicts" + ConflictList(conflictPaths, totalConflictPaths);

    /// <summary>The note when an MR's merged results pipeline fails.</summary>
    public static string MergedResultFailed(long pipelineId, PipelineStatus status) =>
        $"the merged results pipeline #{pipelineId} {(status == PipelineStatus.Canceled ? "was canceled" : "failed")}: the merge of this merge request into its target branch does not pass";

    /// <summary>The paths as a list, at most <see cref="MaxConflictPathsShown"/>, and how many more of <paramref name="total"/> there are.</summary>
    private static string ConflictList(IReadOnlyList<string> paths, int total)
    {
        if (paths.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder(":\n");
        foreach (var path in paths.Take(MaxConflictPathsShown))
        {
            text.Append("\n- `").Append(path).Append('`');
        }

        var shown = Math.Min(paths.Count, MaxConflictPathsShown);
        var all = Math.Max(total, paths.Count);
        if (all > shown)
        {
            text.Append("\n- and ").Append(all - shown).Append(" more");
        }

        return text.ToString();
    }
}
