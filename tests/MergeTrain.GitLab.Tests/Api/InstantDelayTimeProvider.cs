namespace MergeTrain.GitLab.Tests.Api;

/// <summary>
/// A clock whose waits end at once and remember how long they were asked to be, so that retry tests
/// assert the backoff without sleeping through it. Deadlines are left real: a timer that cancels a
/// <see cref="CancellationTokenSource"/> (how the per-attempt and total timeouts are built) runs on
/// the system clock, or every attempt would time out the moment it started.
/// </summary>
internal sealed class InstantDelayTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _delays = [];
    private readonly List<(TimerCallback Callback, object? State)> _held = [];
    private readonly Lock _lock = new();
    private bool _holding;

    /// <summary>What <see cref="GetUtcNow"/> answers when set (to measure a <c>Retry-After</c> date exactly); else the system's time.</summary>
    public DateTimeOffset? Now { get; set; }

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
            {
                return [.. _delays];
            }
        }
    }

    /// <summary>Waits asked for from now on do not end until <see cref="ReleaseWaits"/>, so a test can change the world between two attempts.</summary>
    public void HoldWaits()
    {
        lock (_lock)
        {
            _holding = true;
        }
    }

    /// <summary>Ends the held waits and stops holding new ones.</summary>
    public void ReleaseWaits()
    {
        List<(TimerCallback Callback, object? State)> held;
        lock (_lock)
        {
            _holding = false;
            held = [.. _held];
            _held.Clear();
        }

        foreach (var (callback, state) in held)
        {
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
    }

    public override DateTimeOffset GetUtcNow() => Now ?? System.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (state is CancellationTokenSource)
        {
            return System.CreateTimer(callback, state, dueTime, period);
        }

        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _delays.Add(dueTime);
                if (_holding)
                {
                    _held.Add((callback, state));
                    return new NoTimer();
                }
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
