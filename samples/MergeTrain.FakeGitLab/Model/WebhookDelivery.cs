namespace MergeTrain.FakeGitLab;

/// <summary>
/// One HTTP delivery of a webhook event and the receiver's answer (<c>StatusCode</c> null and
/// <c>Error</c> set when it could not be reached).
/// </summary>
public sealed record WebhookDelivery(
    long Id,
    FakeWebhook Hook,
    string EventName,
    string EventUuid,
    string WebhookUuid,
    string IdempotencyKey,
    string Body,
    DateTimeOffset SentAt,
    int? StatusCode,
    string? Error,
    bool IsRedelivery);
