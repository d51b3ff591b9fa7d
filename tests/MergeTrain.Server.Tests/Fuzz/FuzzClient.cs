using System.Collections.Concurrent;
using System.Text;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Sends generated requests over real HTTP, several at a time, and keeps every answer. Its
/// handler sends header values as UTF-8 bytes and follows no redirect, so the server sees the
/// request as generated.
/// </summary>
internal sealed class FuzzClient : IDisposable
{
    private readonly HttpClient _client;

    public FuzzClient(Uri server)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task<IReadOnlyList<FuzzOutcome>> SendAllAsync(IEnumerable<FuzzRequest> requests, int parallelism)
    {
        var outcomes = new ConcurrentBag<FuzzOutcome>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (request, ct) =>
            outcomes.Add(await SendAsync(request, ct)));
        return [.. outcomes.OrderBy(o => o.Request.Index)];
    }

    public async Task<FuzzOutcome> SendAsync(FuzzRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var message = request.ToMessage();
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var body = status >= 500 ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
            return new FuzzOutcome(request, status, null, body);
        }
        catch (HttpRequestException error)
        {
            return new FuzzOutcome(request, null, $"no answer: {error.Message} ({error.InnerException?.Message})", null);
        }
        catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            return new FuzzOutcome(request, null, $"timed out: {error.Message}", null);
        }
    }

    public void Dispose() => _client.Dispose();
}
