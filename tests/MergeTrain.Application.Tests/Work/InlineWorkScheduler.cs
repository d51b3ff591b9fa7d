using System.Collections.Concurrent;
using MergeTrain.Postgres.Work;

namespace MergeTrain.Application.Tests.Work;

/// <summary>
/// The tests' stand-in for Hangfire's client, which lives in the server: every enqueued request
/// runs at once on a thread-pool task, on every instance given (so instances race for the work as
/// Hangfire workers of several servers would), and timers are recorded.
/// </summary>
internal sealed class InlineWorkScheduler : IWorkScheduler
{
    private readonly ConcurrentBag<Task> _running = [];

    /// <summary>The runners of each kind of work, one per instance.</summary>
    public List<Func<WorkRequest, Task>> Instances { get; } = [];

    public ConcurrentQueue<WorkRequest> Enqueued { get; } = new();

    public ConcurrentQueue<(WorkRequest Request, DateTimeOffset At)> Scheduled { get; } = new();

    public void Enqueue(WorkRequest request)
    {
        Enqueued.Enqueue(request);
        foreach (var instance in Instances)
        {
            _running.Add(Task.Run(() => instance(request)));
        }
    }

    public void Schedule(WorkRequest request, DateTimeOffset at) => Scheduled.Enqueue((request, at));

    /// <summary>Waits for every run started so far, and those they started in turn.</summary>
    public async Task DrainAsync()
    {
        while (_running.Any(task => !task.IsCompleted))
        {
            await Task.WhenAll(_running.ToArray());
        }
    }
}
