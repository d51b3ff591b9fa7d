using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Server.Tests.Jobs;

/// <summary>
/// A reverse proxy in front of the fake GitLab that passes pipeline creations on and then never
/// answers them: the pipeline exists in GitLab, and the service is left waiting in the middle of
/// its effect, the moment a crash is most harmful.
/// </summary>
internal sealed class HoldingGitLabProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly TaskCompletionSource _pipelineCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HoldingGitLabProxy(WebApplication app, HttpClient upstream, Uri upstreamUrl)
    {
        _app = app;
        _upstream = upstream;
        Upstream = upstreamUrl;
    }

    /// <summary>Where the service should find GitLab.</summary>
    public Uri Url { get; private set; } = null!;

    private Uri Upstream { get; }

    /// <summary>Completes once GitLab has created a pipeline whose answer is being held.</summary>
    public Task PipelineCreated => _pipelineCreated.Task;

    public static async Task<HoldingGitLabProxy> StartAsync(Uri upstream)
    {
        HoldingGitLabProxy? proxy = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var client = new HttpClient();
        app.Run(async context =>
        {
            using var request = new HttpRequestMessage(
                new HttpMethod(context.Request.Method), new Uri(proxy!.Upstream, context.Request.Path + context.Request.QueryString));
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            request.Content = new ByteArrayContent(body.ToArray());
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            foreach (var header in context.Request.Headers.Where(h => h.Key is "PRIVATE-TOKEN" or "Authorization"))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }

            using var response = await client.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value!.EndsWith("/pipeline", StringComparison.Ordinal))
            {
                proxy._pipelineCreated.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(answer);
        });
        proxy = new HoldingGitLabProxy(app, client, upstream);
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
