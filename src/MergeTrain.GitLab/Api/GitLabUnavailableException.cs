namespace MergeTrain.GitLab.Api;

/// <summary>
/// GitLab kept answering 429 or 5xx, or kept timing out, until the attempts or the time ran out; or a
/// creating call failed in a way that may come after GitLab acted (<see cref="MayHaveTakenEffect"/>),
/// so it was not repeated. Unlike <see cref="GitLabApiException"/> this is transient: the caller
/// should try again later rather than give up on the car.
/// </summary>
public sealed class GitLabUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was called and how the last attempt failed (never the token).</param>
    /// <param name="statusCode">The last HTTP status, or null when the last attempt got no answer.</param>
    /// <param name="innerException">The last attempt's exception, if any.</param>
    /// <param name="mayHaveTakenEffect">True when GitLab may have performed the (creating) call although it failed.</param>
    public GitLabUnavailableException(string message, int? statusCode, Exception? innerException, bool mayHaveTakenEffect = false)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        MayHaveTakenEffect = mayHaveTakenEffect;
    }

    /// <summary>The last HTTP status GitLab answered with, or null after a timeout or a network error.</summary>
    public int? StatusCode { get; }

    /// <summary>
    /// True when the call creates something (a pipeline, a note) and its last attempt may have reached
    /// GitLab (a 5xx, a timeout, a reset connection): it was not repeated, and whoever tries again must
    /// first look for what it may have created.
    /// </summary>
    public bool MayHaveTakenEffect { get; }
}
