namespace MergeTrain.GitLab.Webhooks;

/// <summary>A parsed GitLab webhook delivery: one of the four kinds MergeTrain acts on, or <see cref="IgnoredWebhookEvent"/>.</summary>
/// <param name="EventName">The <c>X-Gitlab-Event</c> header it came with (GitLab's spelling).</param>
/// <param name="ProjectId">The GitLab project it is about, when the payload names one.</param>
public abstract record GitLabWebhookEvent(string EventName, long? ProjectId);

/// <summary>A well-formed delivery MergeTrain has no use for (a comment on an issue, a job event...): answer it, change nothing.</summary>
/// <param name="EventName">The <c>X-Gitlab-Event</c> header.</param>
/// <param name="ProjectId">The project, when the payload names one.</param>
/// <param name="Reason">Why it is ignored, for logs and the delivery list.</param>
public sealed record IgnoredWebhookEvent(string EventName, long? ProjectId, string Reason) : GitLabWebhookEvent(EventName, ProjectId);
