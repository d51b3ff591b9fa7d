namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// Runs the jobs of one kind. A job may run more than once (a server can die after the work and
/// before recording it), so a handler must be idempotent.
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs.</summary>
    string Kind { get; }

    /// <summary>Does the job's work; an exception fails the attempt and schedules a retry.</summary>
    Task HandleAsync(Job job, CancellationToken cancellationToken);
}

/// <summary>Thrown by a handler for a failure that no retry can fix: the job is discarded at once.</summary>
public sealed class PermanentJobFailureException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public PermanentJobFailureException(string message)
        : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public PermanentJobFailureException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>An unexplained permanent failure.</summary>
    public PermanentJobFailureException()
    {
    }
}
