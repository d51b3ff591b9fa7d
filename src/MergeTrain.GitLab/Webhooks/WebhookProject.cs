namespace MergeTrain.GitLab.Webhooks;

/// <summary>The project a webhook is about.</summary>
/// <param name="Id">GitLab's numeric project id.</param>
/// <param name="PathWithNamespace">For example <c>acme/widgets</c>.</param>
/// <param name="WebUrl">The project page, when sent.</param>
public sealed record WebhookProject(long Id, string PathWithNamespace, string? WebUrl);
