namespace MergeTrain.Core.Trains;

/// <summary>The outcome of one event: the new state, the effects to carry out (in order), and the audit records.</summary>
/// <param name="State">The new state of the train.</param>
/// <param name="Effects">What the shell must do, in order; each carries a stable <see cref="TrainEffect.Key"/>.</param>
/// <param name="Audit">The changes this event made.</param>
/// <param name="Finished">Cars that finished with this event (to archive beyond <see cref="TrainState.FinishedCarsKept"/>).</param>
/// <param name="Rejection">Set when a request was refused; then nothing changed.</param>
/// <param name="Ignored">Set when the event changed nothing, saying why (outdated, duplicate, unknown).</param>
/// <param name="NextTimerAt">When the shell should send a <see cref="TimerTicked"/> event next, if ever.</param>
public sealed record Decision(
    TrainState State,
    IReadOnlyList<TrainEffect> Effects,
    IReadOnlyList<AuditRecord> Audit,
    IReadOnlyList<Car> Finished,
    Rejection? Rejection,
    string? Ignored,
    DateTimeOffset? NextTimerAt)
{
    /// <summary>The outcomes of retried jobs decided by this event, for the flake record.</summary>
    public IReadOnlyList<JobRetryOutcome> JobRetries { get; init; } = [];
}
