namespace MergeTrain.Core.Trains;

/// <summary>
/// An ending held back: one that arrived while the car was being merged (applied if that merge fails),
/// or the drop a pipeline that failed for good would cause while the base is checked or a later green may absolve it.
/// </summary>
/// <param name="Status">The status the car ends with (<see cref="CarStatus.Dropped"/> or <see cref="CarStatus.SkipMerged"/>).</param>
/// <param name="Reason">The drop reason, when dropped.</param>
/// <param name="Actor">Who caused it.</param>
/// <param name="Detail">A human-readable explanation.</param>
public sealed record CarEnding(CarStatus Status, DropReason? Reason, string Actor, string Detail);
