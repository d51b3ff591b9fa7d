namespace MergeTrain.GitLab.Webhooks;

/// <summary>Who caused a webhook event.</summary>
/// <param name="Id">GitLab's user id, when sent.</param>
/// <param name="Username">The login name (the actor MergeTrain records).</param>
/// <param name="Name">The display name, when sent.</param>
public sealed record WebhookUser(long? Id, string Username, string? Name);
