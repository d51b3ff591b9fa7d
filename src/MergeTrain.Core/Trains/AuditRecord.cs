namespace MergeTrain.Core.Trains;

/// <summary>One entry of the audit log: a change of a car or of the train (SPEC section 3, "every change").</summary>
/// <param name="At">When it happened.</param>
/// <param name="Actor">Who caused it (a GitLab username, or <see cref="TrainEngine.SystemActor"/>).</param>
/// <param name="Iid">The car's MR, or null for a change of the train itself.</param>
/// <param name="From">The car status before, when a car changed.</param>
/// <param name="To">The car status after, when a car changed.</param>
/// <param name="Reason">Why it happened.</param>
public sealed record AuditRecord(DateTimeOffset At, string Actor, int? Iid, CarStatus? From, CarStatus? To, string Reason);
