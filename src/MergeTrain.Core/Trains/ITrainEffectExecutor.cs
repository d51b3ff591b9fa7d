namespace MergeTrain.Core.Trains;

/// <summary>
/// Carries out the engine's effects against the outside world (git, GitLab) and reports what came
/// of them as events. The coordinator performs a train's effects one at a time, in order, each at
/// least once; <see cref="EffectAttempt.MayBeRepeat"/> tells the executor when an earlier attempt
/// may already have had its effect, so that it can look before it acts (the effect's
/// <see cref="TrainEffect.Key"/> is stable across attempts).
/// </summary>
public interface ITrainEffectExecutor
{
    /// <summary>Performs <paramref name="effect"/> for the train described by <paramref name="train"/>; returns the events it produced.</summary>
    /// <exception cref="Exception">Any failure: the effect stays pending and is attempted again later.</exception>
    Task<IReadOnlyList<TrainEvent>> ExecuteAsync(TrainState train, TrainEffect effect, EffectAttempt attempt, CancellationToken cancellationToken);
}

/// <summary>Which attempt at an effect this is.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="MayBeRepeat">True when an earlier attempt started and its outcome was never recorded (a crash, a lost worker).</param>
public sealed record EffectAttempt(int Number, bool MayBeRepeat);
