using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MergeTrain.GitLab.Api;

/// <summary>
/// <see cref="IGitLabApi"/> over GitLab's v4 REST API, with the retries its contract promises.
/// </summary>
public sealed class GitLabClient : IGitLabApi
{
    private readonly HttpClient _http;
    private readonly GitLabClientOptions _options;
    private readonly Backoff _backoff;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GitLabClient> _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="http">
    /// Sends the requests; its own <c>Timeout</c> should be longer than
    /// <see cref="GitLabClientOptions.AttemptTimeout"/>, which is enforced per attempt here.
    /// </param>
    /// <param name="options">Retry and timeout settings.</param>
    /// <param name="timeProvider">The clock the waits between attempts run on.</param>
    /// <param name="logger">Receives one warning per retry (never the token).</param>
    public GitLabClient(HttpClient http, IOptions<GitLabClientOptions> options, TimeProvider timeProvider, ILogger<GitLabClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
        _timeProvider = timeProvider;
        _backoff = new Backoff(_options, timeProvider);
        _logger = logger;
    }

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
    public async Task<IReadOnlyList<GitLabPipeline>> ListPipelinesAsync(
        GitLabConnection gitLab, long projectId, string gitRef, string sha, CancellationToken cancellationToken)
    {
        // One ref and one commit rarely have more than a handful of pipelines: the first page of 100 is all of them.
        var path = $"/projects/{projectId}/pipelines?ref={Uri.EscapeDataString(gitRef)}&sha={Uri.EscapeDataString(sha)}&per_page=100";
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
        var call = $"{method} {path}";
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await AttemptAsync<T>(gitLab, method, uri, call, body, cancellationToken);
            if (outcome.Succeeded)
            {
                return outcome.Value!;
            }

            if (repeat == Repeat.OnlyIfNotReceived && !outcome.NotActedOn)
            {
                throw new GitLabUnavailableException(
                    $"GitLab may have performed {call} although it failed ({outcome.Failure}); not repeated blindly.",
                    outcome.StatusCode,
                    outcome.Exception);
            }

            if (attempt >= _options.MaxAttempts)
            {
                throw new GitLabUnavailableException(
                    $"GitLab did not answer {call} after {attempt} attempts; the last one: {outcome.Failure}.",
                    outcome.StatusCode,
                    outcome.Exception);
            }

            var delay = _backoff.DelayAfter(attempt, outcome.RetryAfter);
            _logger.LogWarning(
                outcome.Exception,
                "GitLab call {Call} attempt {Attempt} of {MaxAttempts} failed ({Failure}); retrying in {DelayMs} ms",
                call,
                attempt,
                _options.MaxAttempts,
                outcome.Failure,
                (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    /// <summary>One attempt: the value, a retryable failure, or (for other 4xx and unreadable answers) an exception.</summary>
    private async Task<Attempt<T>> AttemptAsync<T>(
        GitLabConnection gitLab, HttpMethod method, Uri uri, string call, object? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AttemptTimeout);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Add("PRIVATE-TOKEN", gitLab.Token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: GitLabJson.Options);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return Attempt<T>.Success(await ReadAsync<T>(response, call, gitLab.Token, timeout.Token));
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var reason = Redact(GitLabErrorMessage.Read(text), gitLab.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                // Throttled before anything was done.
                return Attempt<T>.Retry($"{status} {reason}", status, response.Headers.RetryAfter, null, notActedOn: true);
            }

            if (status >= 500)
            {
                return Attempt<T>.Retry($"{status} {reason}", status, response.Headers.RetryAfter, null);
            }

            throw new GitLabApiException(status, $"GitLab answered {call} with {status} {response.ReasonPhrase}: {reason}");
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            // Our per-attempt timeout (or HttpClient's own) fired, not the caller's token.
            var seconds = _options.AttemptTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return Attempt<T>.Retry($"no answer within {seconds} s", null, null, error);
        }
        catch (HttpRequestException error)
        {
            // Refused or reset connections are what a GitLab restart or a load balancer hiccup
            // looks like. A refused one never carried the request; a reset one may have.
            var refused = error.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };
            return Attempt<T>.Retry($"network error: {Redact(error.Message, gitLab.Token)}", null, null, error, notActedOn: refused);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string call, string token, CancellationToken cancellationToken)
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
                $"GitLab's answer to {call} is not the documented JSON: {Redact(error.Message, token)}");
        }
    }

    private static string Redact(string text, string token) =>
        string.IsNullOrEmpty(token) ? text : text.Replace(token, "[redacted]", StringComparison.Ordinal);

    private readonly record struct Attempt<T>(
        bool Succeeded, T? Value, string? Failure, int? StatusCode, RetryConditionHeaderValue? RetryAfter, Exception? Exception, bool NotActedOn = false)
    {
        public static Attempt<T> Success(T value) => new(true, value, null, null, null, null);

        public static Attempt<T> Retry(string failure, int? statusCode, RetryConditionHeaderValue? retryAfter, Exception? exception, bool notActedOn = false) =>
            new(false, default, failure, statusCode, retryAfter, exception, notActedOn);
    }
}
