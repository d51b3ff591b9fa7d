namespace MergeTrain.Postgres.Work;

/// <summary>
/// Starts the job for work whose request has just been committed (Hangfire, in the service). It is
/// called after the commit, never inside the transaction: if the process dies in between, the
/// sweeper finds the request and asks again.
/// </summary>
public interface IWorkScheduler
{
    /// <summary>Runs <paramref name="request"/>'s job as soon as a worker is free.</summary>
    void Enqueue(WorkRequest request);

    /// <summary>Runs <paramref name="request"/>'s job at <paramref name="at"/> (a train's timer).</summary>
    void Schedule(WorkRequest request, DateTimeOffset at);
}
