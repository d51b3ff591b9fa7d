namespace MergeTrain.GitLab.Api;

/// <summary>
/// GitLab kept answering 429 or 5xx, or kept timing out, until the attempts ran out. Unlike
/// <see cref="GitLabApiException"/> this is transient: the caller should try again later rather than
/// give up on the car.
/// </summary>
public sealed class GitLabUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was called and how the last attempt failed (never the token).</param>
    /// <param name="statusCode">The last HTTP status, or null when the last attempt got no answer.</param>
    /// <param name="innerException">The last attempt's exception, if any.</param>
    public GitLabUnavailableException(string message, int? statusCode, Exception? innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The last HTTP status GitLab answered with, or null after a timeout or a network error.</summary>
    public int? StatusCode { get; }
}
