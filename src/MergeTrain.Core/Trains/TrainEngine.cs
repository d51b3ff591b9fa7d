namespace MergeTrain.Core.Trains;

/// <summary>
/// Decides, for one train, what every event changes: a pure and deterministic function of the
/// state, the event, the settings and the time. It does no I/O; the shell carries out the effects
/// and feeds their results back as events.
/// </summary>
public sealed class TrainEngine
{
    /// <summary>The actor recorded for changes the train makes by itself.</summary>
    public const string SystemActor = "merge-train";

    private readonly TimeProvider _timeProvider;

    /// <summary>An engine for trains with these settings; time is read from <paramref name="timeProvider"/> (default: the system clock) only by <see cref="Decide(TrainState, TrainEvent)"/>.</summary>
    public TrainEngine(TrainSettings settings, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The train settings every decision uses.</summary>
    public TrainSettings Settings { get; }

    /// <summary>Decides an event at the injected clock's current time.</summary>
    public Decision Decide(TrainState state, TrainEvent trainEvent) => Decide(state, trainEvent, _timeProvider.GetUtcNow());

    /// <summary>Decides an event at <paramref name="now"/>: the new state, the effects and the audit records.</summary>
    public Decision Decide(TrainState state, TrainEvent trainEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(trainEvent);
        var transition = new Transition(Settings, state, now);
        transition.Apply(trainEvent);
        return transition.ToDecision();
    }
}
