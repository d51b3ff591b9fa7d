namespace MergeTrain.GitLab.Webhooks;

/// <summary>A <c>Note Hook</c> for a comment on a merge request (comments elsewhere parse as <see cref="IgnoredWebhookEvent"/>).</summary>
/// <param name="EventName"><c>Note Hook</c>, or <c>Confidential Note Hook</c> for an internal comment.</param>
/// <param name="Project">The project.</param>
/// <param name="Actor">Who commented.</param>
/// <param name="NoteId">The comment's id.</param>
/// <param name="Note">The comment text, as written.</param>
/// <param name="Url">The comment's page, when sent.</param>
/// <param name="CreatedAt">When it was written, when sent.</param>
/// <param name="MergeRequest">The MR commented on.</param>
public sealed record NoteHookEvent(
    string EventName,
    WebhookProject Project,
    WebhookUser Actor,
    long NoteId,
    string Note,
    string? Url,
    DateTimeOffset? CreatedAt,
    WebhookMergeRequest MergeRequest) : GitLabWebhookEvent(EventName, Project.Id);
