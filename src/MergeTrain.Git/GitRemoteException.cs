namespace MergeTrain.Git;

/// <summary>
/// Talking to a project's remote failed (unreachable host, missing repository, protocol error).
/// A remote that answered and refused a reference update is not an exception: see <see cref="PushResult"/>.
/// </summary>
public class GitRemoteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GitRemoteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GitRemoteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the libgit2 error behind it.</summary>
    public GitRemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    // libgit2 (1.5 and 1.8 alike) reports a refused token as an HTTP 401 it could not get past,
    // after replaying the credentials callback ("too many redirects or authentication replays"),
    // or as a plain 401/403.
    private static readonly string[] AuthenticationMarkers =
    [
        "authentication", "401", "403", "credentials", "unauthorized", "forbidden",
    ];

    internal static GitRemoteException From(Exception error, string operation, string url)
    {
        var message = error.Message;
        var redactedUrl = RedactUrl(url);
        return AuthenticationMarkers.Any(marker => message.Contains(marker, StringComparison.OrdinalIgnoreCase))
            ? new GitAuthenticationException($"{operation} {redactedUrl}: authentication failed ({message})", error)
            : new GitRemoteException($"{operation} {redactedUrl} failed: {message}", error);
    }

    // A URL may carry user:password; never let it reach a log.
    internal static string RedactUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo)
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;
}

/// <summary>The remote refused our credentials (wrong, expired or missing token).</summary>
public sealed class GitAuthenticationException : GitRemoteException
{
    /// <summary>Creates the exception.</summary>
    public GitAuthenticationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GitAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the libgit2 error behind it.</summary>
    public GitAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
