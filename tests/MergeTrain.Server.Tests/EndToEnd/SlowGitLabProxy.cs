using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// A reverse proxy in front of the fake GitLab that answers pipeline creations late, as a busy
/// GitLab does: the pipeline exists (and its hooks go out) before the service hears it was created.
/// </summary>
internal sealed class SlowGitLabProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private SlowGitLabProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>Where the service should find GitLab.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The real (fake) GitLab behind the proxy; set before the first request.</summary>
    public Uri? Upstream { get; set; }

    public static async Task<SlowGitLabProxy> StartAsync(TimeSpan pipelineCreationDelay)
    {
        SlowGitLabProxy? proxy = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new HttpClient();
        app.Run(async context =>
        {
            using var request = new HttpRequestMessage(
                new HttpMethod(context.Request.Method), new Uri(proxy!.Upstream!, context.Request.Path + context.Request.QueryString));
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

            using var response = await upstream.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value!.EndsWith("/pipeline", StringComparison.Ordinal))
            {
                await Task.Delay(pipelineCreationDelay);
            }

            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(answer);
        });
        proxy = new SlowGitLabProxy(app, upstream);
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
