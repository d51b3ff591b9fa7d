namespace MergeTrain.Application.Jobs;

/// <summary>A failure no retry can fix (the project is no longer configured): the job fails at once.</summary>
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
