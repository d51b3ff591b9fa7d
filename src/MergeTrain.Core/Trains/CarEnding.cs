namespace MergeTrain.Core.Trains;

/// <summary>An ending that arrived while the car was being merged; applied if that merge fails.</summary>
/// <param name="Status">The status the car ends with (<see cref="CarStatus.Dropped"/> or <see cref="CarStatus.SkipMerged"/>).</param>
/// <param name="Reason">The drop reason, when dropped.</param>
/// <param name="Actor">Who caused it.</param>
/// <param name="Detail">A human-readable explanation.</param>
public sealed record CarEnding(CarStatus Status, DropReason? Reason, string Actor, string Detail);
