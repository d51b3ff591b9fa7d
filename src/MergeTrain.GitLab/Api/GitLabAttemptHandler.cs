namespace MergeTrain.GitLab.Api;

/// <summary>
/// The innermost handler, inside the retry and the per-attempt timeout: counts each attempt on its
/// <see cref="GitLabCall"/>, and reads the whole answer within the attempt, so that a body that
/// stalls times the attempt out (and may be retried) instead of hanging the caller's read later.
/// </summary>
internal sealed class GitLabAttemptHandler : DelegatingHandler
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        GitLabCall.Of(request)?.CountAttempt();
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
