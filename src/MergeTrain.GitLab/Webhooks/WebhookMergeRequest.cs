namespace MergeTrain.GitLab.Webhooks;

/// <summary>
/// The short merge request object GitLab embeds in note and pipeline hooks. The pipeline hook's
/// version has no head commit and no draft flag, hence the nullable fields.
/// </summary>
/// <param name="Id">The MR's global id, when sent.</param>
/// <param name="Iid">The MR's project-scoped id.</param>
/// <param name="Title">The title.</param>
/// <param name="SourceBranch">The source branch.</param>
/// <param name="TargetBranch">The target branch.</param>
/// <param name="State">GitLab's state: <c>opened</c>, <c>closed</c>, <c>locked</c> or <c>merged</c>.</param>
/// <param name="HeadSha">The MR head (<c>last_commit.id</c>), when sent.</param>
/// <param name="Draft">Whether it is a draft, when sent.</param>
/// <param name="Url">The MR page, when sent.</param>
public sealed record WebhookMergeRequest(
    long? Id,
    int Iid,
    string Title,
    string SourceBranch,
    string TargetBranch,
    string State,
    string? HeadSha,
    bool? Draft,
    string? Url);
