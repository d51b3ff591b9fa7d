namespace MergeTrain.Core.Trains;

/// <summary>
/// The CI budget (<see cref="TrainSettings.WastedMinutesPerHour"/>) as a leaky bucket: wasted pipeline
/// time is owed, and the budget pays it off at its rate. Once an hour's worth is owed the budget is
/// spent, and speculation waits until the debt has drained below that.
/// </summary>
public static class CiBudget
{
    /// <summary>An hour's worth of the budget, in seconds: owing this much spends it.</summary>
    public static double Capacity(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.WastedMinutesPerHour * 60.0;
    }

    /// <summary>The seconds owed at <paramref name="now"/>: what the train recorded, less what the budget paid since.</summary>
    public static double Debt(TrainSettings settings, TrainState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(state);
        if (settings.WastedMinutesPerHour == 0 || state.WasteDebtAt is not { } at)
        {
            return 0;
        }

        var paid = Math.Max(0, (now - at).TotalHours) * Capacity(settings);
        return Math.Max(0, state.WasteDebtSeconds - paid);
    }

    /// <summary>Whether the budget is spent at <paramref name="now"/>: only the first car may start pipelines.</summary>
    public static bool IsSpent(TrainSettings settings, TrainState state, DateTimeOffset now) =>
        settings.WastedMinutesPerHour > 0 && Debt(settings, state, now) >= Capacity(settings);

    /// <summary>When a spent budget will have drained below an hour's worth (a second after), or null when it is not spent.</summary>
    public static DateTimeOffset? FreedAt(TrainSettings settings, TrainState state)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(state);
        var capacity = Capacity(settings);
        if (capacity == 0 || state.WasteDebtAt is not { } at || state.WasteDebtSeconds < capacity)
        {
            return null;
        }

        return at + TimeSpan.FromHours((state.WasteDebtSeconds - capacity) / capacity) + TimeSpan.FromSeconds(1);
    }
}
