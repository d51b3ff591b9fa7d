namespace MergeTrain.Core.Trains;

/// <summary>
/// How many cars may start pipelines (issue 13): the adaptive window (<see cref="TrainSettings.AdaptiveWindow"/>,
/// additive increase and multiplicative decrease, as Zuul's) and the CI budget
/// (<see cref="TrainSettings.WastedMinutesPerHour"/>, a leaky bucket of wasted pipeline time).
/// Either only holds back what would start: pipelines already running go on, so nothing already
/// spent is thrown away by narrowing.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>How many cars at the front may start pipelines in this decision.</summary>
    private int Room => BudgetSpent ? _settings.MinParallelPipelines : _settings.AdaptiveWindow ? _window : _settings.MaxParallelPipelines;

    private string RoomReason => BudgetSpent
        ? $"waiting for room: the CI budget for wasted pipeline minutes is spent, only the first {_settings.MinParallelPipelines} car(s) run"
        : $"waiting for room: the window is {_window} car(s)";

    /// <summary>Whether an hour's worth of the budget is owed: speculation waits until it has drained.</summary>
    private bool BudgetSpent => _settings.WastedMinutesPerHour > 0 && _debtAtStart >= CiBudget.Capacity(_settings);

    private void WidenWindow()
    {
        if (_settings.AdaptiveWindow && _window < _settings.MaxParallelPipelines)
        {
            _window++;
        }
    }

    private void NarrowWindow()
    {
        if (_settings.AdaptiveWindow && _window > _settings.MinParallelPipelines)
        {
            _window = Math.Max(_settings.MinParallelPipelines, _window / 2);
            Audit(null, null, null, $"a car's pipeline failed: the window narrows to {_window} car(s)");
        }
    }

    /// <summary>Adds the pipeline time this decision threw away to the debt, and says when the budget runs out or is back.</summary>
    private TrainState WithWasteCounted(TrainState state)
    {
        if (_settings.WastedMinutesPerHour == 0)
        {
            return state;
        }

        var (_, wasted) = PipelineAccounting.Compare(_state, state, _now);
        var debt = _debtAtStart + wasted;
        var capacity = CiBudget.Capacity(_settings);
        var wasSpent = _state.WasteDebtSeconds >= capacity;
        if (debt >= capacity && !wasSpent)
        {
            Audit(null, null, null, $"the CI budget ({_settings.WastedMinutesPerHour} wasted pipeline minutes an hour) is spent: only the first {_settings.MinParallelPipelines} car(s) start pipelines until it recovers");
        }
        else if (debt < capacity && wasSpent)
        {
            Audit(null, null, null, "the CI budget has recovered: the train speculates again");
        }

        return state with { WasteDebtSeconds = debt, WasteDebtAt = _now };
    }

    /// <summary>When a spent budget has drained enough to speculate again, while cars wait for it: a timer wakes the train then.</summary>
    private static DateTimeOffset? BudgetFreedAt(TrainSettings settings, TrainState state) =>
        state.Cars.Count > 1 ? CiBudget.FreedAt(settings, state) : null;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
