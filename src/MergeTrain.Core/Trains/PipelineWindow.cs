namespace MergeTrain.Core.Trains;

/// <summary>
/// How many cars at the front of a train may start pipelines while the CI budget is not spent: the
/// window (adaptive, or <see cref="TrainSettings.MaxParallelPipelines"/>), within what the runners
/// run while they are full (<see cref="TrainSettings.WindowFollowsRunners"/>). The engine decides by
/// it, and the metrics and tests read it from a stored state.
/// </summary>
public static class PipelineWindow
{
    /// <summary>The window of a stored train state.</summary>
    public static int Of(TrainSettings settings, TrainState state)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(state);
        return Within(settings.AdaptiveWindow ? state.Window ?? settings.MaxParallelPipelines : settings.MaxParallelPipelines, state.RunnerCapacity);
    }

    /// <summary><paramref name="window"/>, bounded by what the runners run while they are full (null: not bound).</summary>
    internal static int Within(int window, int? runnerCapacity) => Math.Min(window, runnerCapacity ?? int.MaxValue);
}
