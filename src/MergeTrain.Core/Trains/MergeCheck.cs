namespace MergeTrain.Core.Trains;

/// <summary>
/// A GitLab merge check that an MR fails: its <c>detailed_merge_status</c> and GitLab's documented
/// description of it, which MergeTrain gives as its reason.
/// </summary>
/// <param name="Status">GitLab's <c>detailed_merge_status</c> value (<c>not_approved</c>, ...).</param>
/// <param name="Reason">GitLab's wording of the status ("Approval is required before merge.").</param>
public sealed record MergeCheck(string Status, string Reason)
{
    /// <summary>
    /// The statuses that keep an MR off the train, with GitLab's description of each (Merge
    /// requests API, "Merge status"). What is not here does not block: <c>mergeable</c>; the
    /// pipeline checks (<c>ci_must_pass</c>, <c>ci_still_running</c>), because the train runs its
    /// own pipeline on the merged result and merges only when that passes; <c>need_rebase</c>,
    /// because the train merges onto the target head (or the car ahead) itself; and the states in
    /// which GitLab has not finished checking (<c>checking</c>, <c>unchecked</c>, <c>preparing</c>,
    /// <c>approvals_syncing</c>), where MergeTrain reads the fields GitLab did fill in instead
    /// (<see cref="Of"/>). <c>not_open</c> and <c>draft_status</c> are not here either: the MR's
    /// state and draft flag refuse those with their own messages.
    /// </summary>
    private static readonly Dictionary<string, string> Blocking = new(StringComparer.Ordinal)
    {
        ["commits_status"] = "Source branch should exist, and contain commits.",
        ["conflict"] = "Conflicts exist between the source and target branches.",
        ["discussions_not_resolved"] = "All discussions must be resolved before merge.",
        ["jira_association_missing"] = "The title or description must reference a Jira issue.",
        ["merge_request_blocked"] = "Blocked by another merge request.",
        ["merge_time"] = "May not be merged until after the specified time.",
        ["not_approved"] = "Approval is required before merge.",
        ["requested_changes"] = "The merge request has reviewers who have requested changes.",
        ["security_policy_violations"] = "All security policies must be satisfied.",
        ["status_checks_must_pass"] = "All status checks must pass before merge.",
        ["locked_paths"] = "Paths locked by other users must be unlocked before merging to default branch.",
        ["locked_lfs_files"] = "LFS files locked by other users must be unlocked before merge.",
        // Names of GitLab 15.6 to 16.x, before the ones above replaced them.
        ["blocked_status"] = "Blocked by another merge request.",
        ["broken_status"] = "Can't merge into the target branch due to a potential conflict.",
        ["external_status_checks"] = "All status checks must pass before merge.",
        ["policies_denied"] = "The merge request contains denied policies.",
    };

    /// <summary>Statuses that do not keep an MR off the train (see <see cref="Blocking"/> for why).</summary>
    private static readonly HashSet<string> NotBlocking = new(StringComparer.Ordinal)
    {
        "mergeable", "ci_must_pass", "ci_still_running", "need_rebase",
        "checking", "unchecked", "preparing", "approvals_syncing",
        "not_open", "draft_status",
    };

    /// <summary>The statuses whose check GitLab has not finished: their other fields still say something.</summary>
    private static readonly HashSet<string> Pending = new(StringComparer.Ordinal) { "checking", "unchecked", "preparing", "approvals_syncing" };

    /// <summary>
    /// Whether a car already on the train stays when this check starts failing. GitLab's merge
    /// train keeps it for unresolved threads (it merges skipping the discussions check; GitLab
    /// merge request 39957, "Prevent MRs to be dropped from Merge Trains for open discussions")
    /// and drops it for the others, which its merge step checks again.
    /// </summary>
    public bool KeepsCarOnTrain => Status == "discussions_not_resolved";

    /// <summary>
    /// The check an MR fails, from what GitLab's merge request object says: its
    /// <c>detailed_merge_status</c>, and while that says GitLab is still checking, its
    /// <c>has_conflicts</c> and <c>blocking_discussions_resolved</c>. Null when nothing blocks.
    /// An unknown status blocks, named as it is: a check GitLab added since is still a check.
    /// </summary>
    public static MergeCheck? Of(string? detailedMergeStatus, bool hasConflicts, bool blockingDiscussionsResolved)
    {
        if (detailedMergeStatus is null || Pending.Contains(detailedMergeStatus))
        {
            return hasConflicts ? ForStatus("conflict")
                : !blockingDiscussionsResolved ? ForStatus("discussions_not_resolved")
                : null;
        }

        if (NotBlocking.Contains(detailedMergeStatus))
        {
            return null;
        }

        return ForStatus(detailedMergeStatus);
    }

    private static MergeCheck ForStatus(string status) =>
        new(status, Blocking.TryGetValue(status, out var reason) ? reason : $"The merge request cannot be merged ({status}).");
}
