namespace MergeTrain.GitLab.Tests.Api;

/// <summary>
/// A clock whose timers fire at once and remember how long they were asked to wait, so that retry
/// tests assert the backoff without sleeping through it.
/// </summary>
internal sealed class InstantDelayTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _delays = [];
    private readonly Lock _lock = new();

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

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _delays.Add(dueTime);
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
