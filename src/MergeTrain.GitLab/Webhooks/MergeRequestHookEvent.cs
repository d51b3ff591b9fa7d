namespace MergeTrain.GitLab.Webhooks;

/// <summary>A <c>Merge Request Hook</c>: an MR was opened, updated, labelled, closed, merged...</summary>
/// <param name="Project">The MR's target project.</param>
/// <param name="Actor">Who did it (<c>user</c>).</param>
/// <param name="MergeRequestId">The MR's global id.</param>
/// <param name="Iid">The MR's project-scoped id.</param>
/// <param name="Title">The title.</param>
/// <param name="Description">The description, when sent.</param>
/// <param name="State">GitLab's state after the event: <c>opened</c>, <c>closed</c>, <c>locked</c> or <c>merged</c>.</param>
/// <param name="Action">
/// What happened: <c>open</c>, <c>close</c>, <c>reopen</c>, <c>update</c>, <c>approved</c>, <c>unapproved</c>,
/// <c>approval</c>, <c>unapproval</c>, <c>merge</c>; null when GitLab sends none (a test delivery).
/// </param>
/// <param name="Draft">Whether the MR is a draft now (<c>draft</c>, or the older <c>work_in_progress</c>).</param>
/// <param name="DraftChanged">The draft flag before and after, when this event changed it (<c>changes.draft</c>).</param>
/// <param name="HeadSha">The MR head commit (<c>last_commit.id</c>).</param>
/// <param name="SourceBranch">The source branch.</param>
/// <param name="TargetBranch">The target branch.</param>
/// <param name="SourceProjectId">The source project (differs from the target for forks), when sent.</param>
/// <param name="TargetProjectId">The target project, when sent.</param>
/// <param name="OldRev">The previous head: present only when the event brought new commits.</param>
/// <param name="MergeCommitSha">The merge commit, for merged MRs, when sent.</param>
/// <param name="Url">The MR page.</param>
/// <param name="CreatedAt">When the MR was created.</param>
/// <param name="UpdatedAt">When it was last updated.</param>
/// <param name="Labels">The label titles the MR has now.</param>
/// <param name="LabelsAdded">
/// Label titles this event added (<c>changes.labels</c> current minus previous). Without
/// <c>changes.labels</c>, an <c>open</c> event counts all its labels as added and any other event none.
/// </param>
/// <param name="LabelsRemoved">Label titles this event removed (<c>changes.labels</c> previous minus current).</param>
public sealed record MergeRequestHookEvent(
    WebhookProject Project,
    WebhookUser Actor,
    long MergeRequestId,
    int Iid,
    string Title,
    string? Description,
    string State,
    string? Action,
    bool Draft,
    DraftChange? DraftChanged,
    string HeadSha,
    string SourceBranch,
    string TargetBranch,
    long? SourceProjectId,
    long? TargetProjectId,
    string? OldRev,
    string? MergeCommitSha,
    string? Url,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> LabelsAdded,
    IReadOnlyList<string> LabelsRemoved) : GitLabWebhookEvent(GitLabEventNames.MergeRequest, Project.Id)
{
    /// <summary>Whether the event brought new commits to the MR (GitLab sends <c>oldrev</c> only then).</summary>
    public bool HasNewCommits => OldRev is not null;
}

/// <summary>A draft flag's value before and after an event.</summary>
/// <param name="Previous">Before.</param>
/// <param name="Current">After.</param>
public sealed record DraftChange(bool Previous, bool Current);
