namespace MergeTrain.FakeGitLab;

/// <summary>
/// What GitLab's merge checks say about a merge request, computed from the fake's state the way
/// GitLab does: <c>detailed_merge_status</c> names the first check that fails, in GitLab's order
/// (open, draft, conflicts, threads, approvals), else <c>mergeable</c>. The fake never reports
/// conflicts (<c>has_conflicts</c> stays false): it computes no mergeability with git.
/// </summary>
public sealed record MergeStatus(string Detailed, bool BlockingDiscussionsResolved, int ApprovalsRequired, int ApprovalsLeft)
{
    public static MergeStatus Of(FakeMergeRequest mergeRequest, FakeMergeSettings settings, IReadOnlyList<FakeDiscussion> discussions)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        ArgumentNullException.ThrowIfNull(settings);
        var discussionsResolved = !settings.OnlyAllowMergeIfAllDiscussionsAreResolved || discussions.All(d => d.Resolved);
        var approvalsLeft = Math.Max(0, settings.ApprovalsRequired - mergeRequest.ApprovedBy.Count);
        var detailed = mergeRequest.State != MergeRequestStates.Opened ? "not_open"
            : mergeRequest.Draft ? "draft_status"
            : !discussionsResolved ? "discussions_not_resolved"
            : approvalsLeft > 0 ? "not_approved"
            : "mergeable";

        return new MergeStatus(detailed, discussionsResolved, settings.ApprovalsRequired, approvalsLeft);
    }
}
