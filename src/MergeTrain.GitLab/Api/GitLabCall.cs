namespace MergeTrain.GitLab.Api;

/// <summary>
/// What the resilience pipeline must know about one GitLab call, carried on its request's
/// <see cref="HttpRequestMessage.Options"/>: whether it may be sent again, its name for logs and
/// errors, the token to keep out of them, and how many attempts went out.
/// </summary>
internal sealed class GitLabCall(string name, Repeat repeat, string token)
{
    private static readonly HttpRequestOptionsKey<GitLabCall> Key = new("MergeTrain.GitLab.Call");
    private int _attempts;

    /// <summary>Method and API path, e.g. <c>GET /projects/42/pipelines/7</c>.</summary>
    public string Name => name;

    /// <summary>When a failed attempt may be followed by another.</summary>
    public Repeat Repeat => repeat;

    /// <summary>Attempts that reached the network so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The call a request belongs to, or null for a request sent by other code.</summary>
    public static GitLabCall? Of(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var call) ? call : null;

    /// <summary>Marks <paramref name="request"/> as this call's.</summary>
    public void AttachTo(HttpRequestMessage request) => request.Options.Set(Key, this);

    /// <summary>Counts one attempt going out.</summary>
    public void CountAttempt() => Interlocked.Increment(ref _attempts);

    /// <summary>Removes the token from text that GitLab or the network stack produced (GitLab may echo it).</summary>
    public string Redact(string text) =>
        string.IsNullOrEmpty(token) ? text : text.Replace(token, "[redacted]", StringComparison.Ordinal);
}
