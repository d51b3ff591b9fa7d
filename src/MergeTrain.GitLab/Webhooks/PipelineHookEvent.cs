namespace MergeTrain.GitLab.Webhooks;

/// <summary>A <c>Pipeline Hook</c>: a pipeline was created or changed status.</summary>
/// <param name="Project">The project.</param>
/// <param name="Actor">Who started the pipeline, when sent.</param>
/// <param name="PipelineId">GitLab's pipeline id.</param>
/// <param name="Ref">The branch or tag it runs on (a short name such as <c>merge-train/main/12</c>, or <c>refs/merge-requests/12/head</c>).</param>
/// <param name="Sha">The commit it runs on.</param>
/// <param name="Status">GitLab's status name: <c>created</c>, <c>pending</c>, <c>running</c>, <c>success</c>, <c>failed</c>, <c>canceled</c>...</param>
/// <param name="Source">Why it runs (<c>push</c>, <c>api</c>, <c>merge_request_event</c>...), when sent.</param>
/// <param name="Tag">Whether <paramref name="Ref"/> is a tag.</param>
/// <param name="WebUrl">The pipeline page: <c>object_attributes.url</c>, else built from the project's page.</param>
/// <param name="CreatedAt">When it was created, when sent.</param>
/// <param name="FinishedAt">When it finished, for finished pipelines.</param>
/// <param name="DurationSeconds">How long its jobs ran, when known.</param>
/// <param name="MergeRequest">The MR of a merge request pipeline; null for branch pipelines such as MergeTrain's.</param>
public sealed record PipelineHookEvent(
    WebhookProject Project,
    WebhookUser? Actor,
    long PipelineId,
    string Ref,
    string Sha,
    string Status,
    string? Source,
    bool Tag,
    string? WebUrl,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? FinishedAt,
    double? DurationSeconds,
    WebhookMergeRequest? MergeRequest) : GitLabWebhookEvent(GitLabEventNames.Pipeline, Project.Id);
