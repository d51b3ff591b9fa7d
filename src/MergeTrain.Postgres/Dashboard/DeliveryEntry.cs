namespace MergeTrain.Postgres.Dashboard;

/// <summary>One webhook delivery, without its body.</summary>
/// <param name="Id">The delivery's row.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="ProjectId">The project it was for, when known.</param>
/// <param name="EventKind">The <c>X-Gitlab-Event</c> header.</param>
/// <param name="EventUuid">The <c>X-Gitlab-Event-UUID</c> header.</param>
/// <param name="Status">One of <see cref="DeliveryStatus"/>'s names: what became of it.</param>
/// <param name="Detail">Why it was refused, or what came of it.</param>
/// <param name="ProcessedAt">When it was processed, if it was.</param>
public sealed record DeliveryEntry(
    long Id, DateTimeOffset ReceivedAt, long? ProjectId, string? EventKind, string? EventUuid, string Status, string? Detail, DateTimeOffset? ProcessedAt);
