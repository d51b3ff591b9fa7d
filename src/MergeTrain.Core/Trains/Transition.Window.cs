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
    private int Room => BudgetSpent ? _settings.MinParallelPipelines : PipelineWindow.Within(Window, _runnerCapacity);

    /// <summary>The window before the runners bound it: adaptive, or the configured maximum.</summary>
    private int Window => _settings.AdaptiveWindow ? _window : _settings.MaxParallelPipelines;

    private string RoomReason => BudgetSpent
        ? $"waiting for room: the CI budget for wasted pipeline minutes is spent, only the first {_settings.MinParallelPipelines} car(s) run"
        : _runnerCapacity < Window
            ? $"waiting for room: jobs wait for a runner, so only as many cars run pipelines as the runners run ({_runnerCapacity})"
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

    /// <summary>
    /// GitLab said how many jobs of the project wait for a runner. While any do, the runners are full:
    /// no more cars start pipelines than the runners run now (not fewer than the floor), so that
    /// nothing more queues, and the queued pipelines of the cars beyond are cancelled (see
    /// <see cref="QueuedFrom"/>). Once none waits, the bound is lifted.
    /// </summary>
    private void OnRunnerQueueReported(RunnerQueueReported e)
    {
        if (!_settings.WindowFollowsRunners)
        {
            Ignore("the window does not follow the runners (WindowFollowsRunners is off)");
            return;
        }

        if (e.PendingJobs <= 0)
        {
            if (_runnerCapacity is null)
            {
                Ignore("no job of the project waits for a runner");
                return;
            }

            _runnerCapacity = null;
            Audit(null, null, null, "no job of the project waits for a runner: as many cars run pipelines as the window lets");
            return;
        }

        var running = _cars.Count(car => car.Pipeline?.Status == PipelineStatus.Running && TakesPlace(car));
        var capacity = Math.Max(running, _settings.MinParallelPipelines);
        if (capacity == _runnerCapacity)
        {
            Ignore("the runners run as many of the train's pipelines as before");
            return;
        }

        _runnerCapacity = capacity;
        Audit(null, null, null, $"GitLab reports {e.PendingJobs} job(s) of the project waiting for a runner: only as many cars run pipelines as the runners run ({capacity})");
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
