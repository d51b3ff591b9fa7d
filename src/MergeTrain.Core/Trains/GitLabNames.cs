namespace MergeTrain.Core.Trains;

/// <summary>GitLab's wire names of the engine's enums, for notes, REST answers and webhook parsing.</summary>
public static class GitLabNames
{
    private static readonly string[] PipelineStatusNames =
    [
        "created", "waiting_for_resource", "preparing", "pending", "running", "success", "failed",
        "canceling", "canceled", "skipped", "manual", "scheduled",
    ];

    private static readonly string[] CarStatusNames = ["idle", "fresh", "stale", "merging", "merged", "skip_merged", "dropped"];

    private static readonly string[] DropReasonNames =
    [
        "pipeline_failed", "merge_conflict", "source_updated", "closed", "draft", "removed_by_user",
        "pipeline_timeout", "target_missing", "error", "not_mergeable",
    ];

    /// <summary>The GitLab name of a pipeline status (<c>waiting_for_resource</c>, ...).</summary>
    public static string ToGitLabName(this PipelineStatus status) => PipelineStatusNames[(int)status];

    /// <summary>The GitLab name of a car status (<c>skip_merged</c>, ...).</summary>
    public static string ToGitLabName(this CarStatus status) => CarStatusNames[(int)status];

    /// <summary>The name of a drop reason (<c>pipeline_failed</c>, ...).</summary>
    public static string ToGitLabName(this DropReason reason) => DropReasonNames[(int)reason];

    /// <summary>Parses a GitLab pipeline status name; false for an unknown name.</summary>
    public static bool TryParsePipelineStatus(string name, out PipelineStatus status)
    {
        var index = Array.IndexOf(PipelineStatusNames, name);
        status = index < 0 ? default : (PipelineStatus)index;
        return index >= 0;
    }

    /// <summary>Whether a pipeline in this status will not change any more.</summary>
    public static bool IsFinished(this PipelineStatus status) =>
        status is PipelineStatus.Success or PipelineStatus.Failed or PipelineStatus.Canceled or PipelineStatus.Skipped;
}
