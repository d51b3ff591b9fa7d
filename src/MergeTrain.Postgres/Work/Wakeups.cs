namespace MergeTrain.Postgres.Work;

/// <summary>
/// The work requests a transaction created that need a job once it commits. The transaction's
/// owner sends them after <c>CommitAsync</c>; a request that already had a job waiting is not
/// listed, which is what keeps the number of jobs far below the number of events.
/// </summary>
public sealed class Wakeups
{
    private readonly HashSet<WorkRequest> _pending = [];

    /// <summary>The requests to enqueue after the commit.</summary>
    public IReadOnlyCollection<WorkRequest> Pending => _pending;

    /// <summary>Lists <paramref name="request"/> for enqueueing after the commit.</summary>
    public void Add(WorkRequest request) => _pending.Add(request);

    /// <summary>Enqueues every listed request through <paramref name="scheduler"/> and forgets them.</summary>
    public void Send(IWorkScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        foreach (var request in _pending)
        {
            scheduler.Enqueue(request);
        }

        _pending.Clear();
    }
}
