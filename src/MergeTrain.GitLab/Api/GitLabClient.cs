using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace MergeTrain.GitLab.Api;

/// <summary>
/// <see cref="IGitLabApi"/> over GitLab's v4 REST API. Each request is marked with whether it may be
/// repeated (<see cref="Repeat"/>); the retries and timeouts themselves are the resilience handler's
/// that <see cref="GitLabServiceCollectionExtensions.AddGitLabClient"/> puts on the client's
/// <see cref="HttpClient"/>. This class turns what comes out of it into values or the documented
/// exceptions.
/// </summary>
public sealed class GitLabClient : IGitLabApi
{
    private readonly HttpClient _http;
    private readonly GitLabClientOptions _options;

    /// <summary>Creates the client.</summary>
    /// <param name="http">
    /// Sends the requests; retries only through the resilience handler that
    /// <see cref="GitLabServiceCollectionExtensions.AddGitLabClient"/> gives it (a bare client sends each request once).
    /// </param>
    /// <param name="options">Retry and timeout settings (read here for the attempt count in messages).</param>
    public GitLabClient(HttpClient http, IOptions<GitLabClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
    }

    /// <inheritdoc />
    public Task<GitLabProject> GetProjectAsync(GitLabConnection gitLab, long projectId, CancellationToken cancellationToken) =>
        SendAsync<GitLabProject>(gitLab, HttpMethod.Get, $"/projects/{projectId}", null, cancellationToken);

    /// <inheritdoc />
    public Task<GitLabMergeRequest> GetMergeRequestAsync(GitLabConnection gitLab, long projectId, int iid, CancellationToken cancellationToken) =>
        SendAsync<GitLabMergeRequest>(gitLab, HttpMethod.Get, $"/projects/{projectId}/merge_requests/{iid}", null, cancellationToken);

    /// <inheritdoc />
    public Task<GitLabPipeline> CreatePipelineAsync(
        GitLabConnection gitLab, long projectId, string gitRef, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var body = new CreatePipelineRequest(
            gitRef,
            [.. variables.Select(variable => new PipelineVariableRequest(variable.Key, variable.Value, "env_var"))]);
        return SendAsync<GitLabPipeline>(gitLab, HttpMethod.Post, $"/projects/{projectId}/pipeline", body, cancellationToken, Repeat.OnlyIfNotReceived);
    }

    /// <inheritdoc />
    public Task<GitLabPipeline> GetPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken) =>
        SendAsync<GitLabPipeline>(gitLab, HttpMethod.Get, $"/projects/{projectId}/pipelines/{pipelineId}", null, cancellationToken);

    /// <inheritdoc />
    public Task<GitLabPipeline> CancelPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken) =>
        SendAsync<GitLabPipeline>(gitLab, HttpMethod.Post, $"/projects/{projectId}/pipelines/{pipelineId}/cancel", null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Repeated like a read: GitLab retries only the jobs that are failed or cancelled now. When a lost
    /// answer hid a retry that went through, those jobs were replaced by new pending ones, so the repeat
    /// finds nothing to retry and answers the running pipeline; only if the new jobs already failed
    /// again within the backoff would it retry them once more, at the cost of one more run of a job.
    /// </remarks>
    public Task<GitLabPipeline> RetryPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken) =>
        SendAsync<GitLabPipeline>(gitLab, HttpMethod.Post, $"/projects/{projectId}/pipelines/{pipelineId}/retry", null, cancellationToken, Repeat.Always);

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitLabJob>> ListPendingJobsAsync(GitLabConnection gitLab, long projectId, CancellationToken cancellationToken) =>
        await SendAsync<List<GitLabJob>>(gitLab, HttpMethod.Get, $"/projects/{projectId}/jobs?scope[]=pending&per_page=100", null, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitLabJob>> ListPipelineJobsAsync(
        GitLabConnection gitLab, long projectId, long pipelineId, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var query = string.Concat(scopes.Select(scope => $"scope[]={Uri.EscapeDataString(scope)}&"));
        return await SendAsync<List<GitLabJob>>(gitLab, HttpMethod.Get, $"/projects/{projectId}/pipelines/{pipelineId}/jobs?{query}per_page=100", null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitLabPipeline>> ListPipelinesAsync(
        GitLabConnection gitLab, long projectId, string gitRef, string sha, CancellationToken cancellationToken)
    {
        // One ref and one commit rarely have more than a handful of pipelines: the first page of 100 is all of them.
        var path = $"/projects/{projectId}/pipelines?ref={Uri.EscapeDataString(gitRef)}&sha={Uri.EscapeDataString(sha)}&per_page=100";
        return await SendAsync<List<GitLabPipeline>>(gitLab, HttpMethod.Get, path, null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitLabPipeline>> ListCommitPipelinesAsync(GitLabConnection gitLab, long projectId, string sha, CancellationToken cancellationToken)
    {
        // GitLab's default order already is newest first; saying so keeps the answer's order a contract.
        var path = $"/projects/{projectId}/pipelines?sha={Uri.EscapeDataString(sha)}&order_by=id&sort=desc&per_page=100";
        return await SendAsync<List<GitLabPipeline>>(gitLab, HttpMethod.Get, path, null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitLabNote>> ListNotesAsync(GitLabConnection gitLab, long projectId, int iid, CancellationToken cancellationToken) =>
        await SendAsync<List<GitLabNote>>(gitLab, HttpMethod.Get, $"/projects/{projectId}/merge_requests/{iid}/notes?sort=desc&order_by=created_at&per_page=100", null, cancellationToken);

    /// <inheritdoc />
    public Task CreateNoteAsync(GitLabConnection gitLab, long projectId, int iid, string body, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(gitLab, HttpMethod.Post, $"/projects/{projectId}/merge_requests/{iid}/notes", new CreateNoteRequest(body), cancellationToken, Repeat.OnlyIfNotReceived);

    /// <inheritdoc />
    public Task SetCommitStatusAsync(GitLabConnection gitLab, long projectId, string sha, GitLabCommitStatus status, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(gitLab, HttpMethod.Post, $"/projects/{projectId}/statuses/{Uri.EscapeDataString(sha)}", status, cancellationToken);

    private async Task<T> SendAsync<T>(
        GitLabConnection gitLab, HttpMethod method, string path, object? body, CancellationToken cancellationToken, Repeat repeat = Repeat.Always)
    {
        ArgumentNullException.ThrowIfNull(gitLab);
        var uri = new Uri(gitLab.BaseUrl.AbsoluteUri.TrimEnd('/') + "/api/v4" + path);
        var call = new GitLabCall($"{method} {path}", repeat, gitLab.Token);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("PRIVATE-TOKEN", gitLab.Token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: GitLabJson.Options);
        }

        call.AttachTo(request);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception error) when (error is TimeoutRejectedException or HttpRequestException)
        {
            throw GaveUp(call, GitLabFailure.Describe(error, call), null, error, GitLabFailure.SurelyNotActedOn(error));
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout, not the caller's token.
            throw GaveUp(call, "no answer in time", null, error, notActedOn: false);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return await ReadAsync<T>(response, call, cancellationToken);
            }

            var status = (int)response.StatusCode;
            if (GitLabFailure.IsTransient(response))
            {
                var failure = await GitLabFailure.DescribeAsync(response, call, cancellationToken);
                throw GaveUp(call, failure, status, null, GitLabFailure.SurelyNotActedOn(response));
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new GitLabApiException(status, $"GitLab answered {call.Name} with {status} {response.ReasonPhrase}: {call.Redact(GitLabErrorMessage.Read(text))}");
        }
    }

    /// <summary>
    /// The call failed for now. For a creating call whose last attempt may have reached GitLab, say so:
    /// the caller must look for what it may have created before it tries again.
    /// </summary>
    private GitLabUnavailableException GaveUp(GitLabCall call, string failure, int? statusCode, Exception? error, bool notActedOn)
    {
        if (call.Repeat == Repeat.OnlyIfNotReceived && !notActedOn)
        {
            return new GitLabUnavailableException(
                $"GitLab may have performed {call.Name} although it failed ({failure}); not repeated blindly.",
                statusCode,
                error,
                mayHaveTakenEffect: true);
        }

        var attempts = Math.Max(call.Attempts, 1);
        var ranOut = attempts >= _options.MaxAttempts ? string.Empty : $" (of {_options.MaxAttempts}; the total timeout ran out)";
        return new GitLabUnavailableException(
            $"GitLab did not answer {call.Name} after {attempts} attempts{ranOut}; the last one: {failure}.",
            statusCode,
            error);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, GitLabCall call, CancellationToken cancellationToken)
    {
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(GitLabJson.Options, cancellationToken);
            return value ?? throw new JsonException("the answer was null");
        }
        catch (JsonException error)
        {
            throw new GitLabApiException(
                (int)response.StatusCode,
                $"GitLab's answer to {call.Name} is not the documented JSON: {call.Redact(error.Message)}");
        }
    }
}
