using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MergeTrain.GitLab.Tests.Api;

/// <summary>A request as the fake GitLab received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt);

/// <summary>One scripted answer; <paramref name="Delay"/> holds the answer back to provoke client timeouts.</summary>
internal sealed record Reply(int Status, string? Json, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan? Delay = null);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, ephemeral port) that answers with scripted replies in
/// order and records every request, so tests see exactly what went over the wire.
/// </summary>
internal sealed class FakeGitLabServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Reply> _replies = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeGitLabServer(WebApplication app)
    {
        _app = app;
        _app.Run(ServeAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Starts the server on <paramref name="port"/>, or on a free port when 0.</summary>
    public static async Task<FakeGitLabServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var server = new FakeGitLabServer(builder.Build());
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.Single());
        return server;
    }

    public FakeGitLabServer Enqueue(Reply reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    public FakeGitLabServer Enqueue(int status, string? json, IReadOnlyDictionary<string, string>? headers = null) =>
        Enqueue(new Reply(status, json, headers));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow));

        if (!_replies.TryDequeue(out var reply))
        {
            reply = new Reply(599, """{"message":"the test scripted no reply for this request"}""");
        }

        if (reply.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Json is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Json, context.RequestAborted);
        }
    }
}
