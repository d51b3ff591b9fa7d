namespace MergeTrain.Core.Trains;

/// <summary>
/// GitLab's wire names of the engine's enums, for notes, REST answers, SQL and webhook parsing; each
/// comes from the enum's own table (<see cref="WireNames"/>), which JSON uses too.
/// </summary>
public static class GitLabNames
{
    /// <summary>The GitLab name of a pipeline status (<c>waiting_for_resource</c>, ...).</summary>
    public static string ToGitLabName(this PipelineStatus status) => WireNames.Of(status);

    /// <summary>The GitLab name of a car status (<c>skip_merged</c>, ...).</summary>
    public static string ToGitLabName(this CarStatus status) => WireNames.Of(status);

    /// <summary>The name of a drop reason (<c>pipeline_failed</c>, ...).</summary>
    public static string ToGitLabName(this DropReason reason) => WireNames.Of(reason);

    /// <summary>The GitLab name of a commit status state (<c>POST /projects/:id/statuses/:sha</c>'s <c>state</c>).</summary>
    public static string ToGitLabName(this CommitState state) => WireNames.Of(state);

    /// <summary>Parses a GitLab pipeline status name; false for an unknown name.</summary>
    public static bool TryParsePipelineStatus(string name, out PipelineStatus status) => WireNames.TryParse(name, out status);
}
