namespace MergeTrain.Core.Trains;

/// <summary>What the engine needs to know about a merge request, as GitLab reported it.</summary>
/// <param name="Iid">The MR's project-scoped id.</param>
/// <param name="Title">The MR title (part of the merge message).</param>
/// <param name="SourceBranch">The MR's source branch.</param>
/// <param name="TargetBranch">The MR's target branch.</param>
/// <param name="HeadSha">The MR head commit.</param>
/// <param name="Draft">Whether the MR is a draft.</param>
/// <param name="State">The MR state.</param>
public sealed record MergeRequestSnapshot(
    int Iid,
    string Title,
    string SourceBranch,
    string TargetBranch,
    string HeadSha,
    bool Draft,
    MergeRequestState State)
{
    /// <summary>
    /// The GitLab merge check the MR fails, when it fails one that keeps it off the train; null
    /// when it passes them, or when the source of the snapshot (a webhook) did not say.
    /// </summary>
    public MergeCheck? FailedCheck { get; init; }
}
