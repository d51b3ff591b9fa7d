using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace MergeTrain.GitLab.Api;

/// <summary>Sorts failed attempts: which may be repeated, which GitLab surely never acted on, and how to describe them.</summary>
internal static class GitLabFailure
{
    /// <summary>
    /// Whether another attempt may follow <paramref name="outcome"/>: for calls that may always be
    /// repeated, after any transient failure; for creating calls, only when GitLab surely did nothing.
    /// </summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, Repeat repeat) =>
        repeat == Repeat.Always
            ? HttpClientResiliencePredicates.IsTransient(outcome)
            : SurelyNotActedOn(outcome);

    /// <summary>
    /// GitLab throttled the request before doing anything (429), or the request never reached it (the
    /// connection was refused, the host name did not resolve). A timeout, a reset connection or a 5xx
    /// may all come after GitLab acted.
    /// </summary>
    public static bool SurelyNotActedOn(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? SurelyNotActedOn(response) : outcome.Exception is { } error && SurelyNotActedOn(error);

    /// <inheritdoc cref="SurelyNotActedOn(Outcome{HttpResponseMessage})"/>
    public static bool SurelyNotActedOn(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.TooManyRequests;

    /// <inheritdoc cref="SurelyNotActedOn(Outcome{HttpResponseMessage})"/>
    public static bool SurelyNotActedOn(Exception error) =>
        error is HttpRequestException http
        && (http.HttpRequestError == HttpRequestError.NameResolutionError
            || http.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused });

    /// <summary>Whether GitLab's answer says the call may succeed later (429, 408, 5xx) rather than never.</summary>
    public static bool IsTransient(HttpResponseMessage response) =>
        HttpClientResiliencePredicates.IsTransient(Outcome.FromResult(response));

    /// <summary>The status and GitLab's reason, without the token; the body was read into memory by the attempt.</summary>
    public static async Task<string> DescribeAsync(HttpResponseMessage response, GitLabCall call, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return $"{(int)response.StatusCode} {call.Redact(GitLabErrorMessage.Read(text))}";
    }

    /// <summary>What went wrong with an attempt that got no answer, without the token.</summary>
    public static string Describe(Exception error, GitLabCall call) => error switch
    {
        TimeoutRejectedException timeout =>
            $"no answer within {timeout.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
        HttpRequestException => $"network error: {call.Redact(error.Message)}",
        _ => call.Redact(error.Message),
    };
}
