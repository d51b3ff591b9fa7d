namespace MergeTrain.Core.Trains;

/// <summary>
/// Which pipeline statuses are final: the engine's definition, which SQL reads as well (the poller
/// asks GitLab about the unfinished ones, retention keeps them), so that the lists cannot drift (the
/// poller's own list once lacked <c>canceling</c>, and a pipeline whose hook was lost while
/// canceling was never polled again).
/// </summary>
public static class FinishedPipelineStatuses
{
    /// <summary>The statuses a pipeline never leaves; every other one (<c>canceling</c> included) may still change.</summary>
    public static IReadOnlySet<PipelineStatus> All { get; } =
        new HashSet<PipelineStatus> { PipelineStatus.Success, PipelineStatus.Failed, PipelineStatus.Canceled, PipelineStatus.Skipped };

    /// <summary>The GitLab names of the finished statuses, as SQL compares them (a fresh text array parameter).</summary>
    public static string[] Names => [.. Enum.GetValues<PipelineStatus>().Where(IsFinished).Select(GitLabNames.ToGitLabName)];

    /// <summary>The GitLab names of the statuses that may still change, as SQL compares them (a fresh text array parameter).</summary>
    public static string[] UnfinishedNames => [.. Enum.GetValues<PipelineStatus>().Where(status => !status.IsFinished()).Select(GitLabNames.ToGitLabName)];

    /// <summary>Whether a pipeline in this status will not change any more.</summary>
    public static bool IsFinished(this PipelineStatus status) => All.Contains(status);
}
