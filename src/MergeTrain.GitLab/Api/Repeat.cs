namespace MergeTrain.GitLab.Api;

/// <summary>When a failed call may be sent again (carried to the retry strategy on <see cref="GitLabCall"/>).</summary>
internal enum Repeat
{
    /// <summary>
    /// Reads, and calls whose repetition changes nothing (cancel, commit status): repeated after any
    /// transient failure (5xx, 408, 429, a timeout, a network error).
    /// </summary>
    Always,

    /// <summary>
    /// Calls that create something: repeated only when GitLab cannot have acted on the first (a 429,
    /// a refused connection, an unknown host); otherwise the caller must look before it tries again.
    /// </summary>
    OnlyIfNotReceived,
}
