using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MergeTrain.FakeGitLab.Tests;

/// <summary>A webhook endpoint on loopback that keeps every request it gets, headers and raw bytes.</summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedHook> _received = new();

    private HookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int StatusCode { get; set; } = StatusCodes.Status202Accepted;

    public IReadOnlyList<ReceivedHook> Received => [.. _received];

    public static async Task<HookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new HookReceiver(app);
        app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._received.Enqueue(new ReceivedHook(headers, buffer.ToArray()));
            context.Response.StatusCode = receiver.StatusCode;
        });
        await app.StartAsync();
        receiver.Url = new Uri(app.Urls.First() + "/hooks");

        return receiver;
    }

    public IReadOnlyList<ReceivedHook> Events(string eventName) => [.. Received.Where(r => r.Event == eventName)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedHook(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Event => Headers.GetValueOrDefault("X-Gitlab-Event", "");

    public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;
}
