using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// A reverse proxy in front of the fake GitLab that passes every call on, and delays or withholds
/// the answer to a pipeline creation: the pipeline exists in GitLab (its hooks go out) before the
/// service hears that it was created, as with a busy GitLab, or never, as when the service dies.
/// It can also refuse to list a project's jobs.
/// </summary>
internal sealed partial class GitLabProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly TaskCompletionSource _pipelineCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _createdRefs = new();
    private string? _badGatewayRef;
    private int _badGatewaysLeft;
    private int _retryBadGatewaysLeft;
    private int _pipelineRetries;
    private int _jobListsToRefuse;
    private int _jobListsRefused;

    private GitLabProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>Where the service should find GitLab.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The real (fake) GitLab behind the proxy; set before the first request.</summary>
    public Uri? Upstream { get; set; }

    /// <summary>
    /// Pipeline creations on <paramref name="reference"/> that went through the proxy to GitLab:
    /// a merged-results pipeline of the same MR may be created too, in either order.
    /// </summary>
    public int PipelineCreationsOn(string reference) => _createdRefs.Count(r => r == reference);

    /// <summary>The refs of every pipeline creation so far, in order.</summary>
    public IReadOnlyList<string> CreatedRefs => [.. _createdRefs];

    /// <summary>Pipeline retries (<c>POST …/pipelines/:id/retry</c>) that went through the proxy to GitLab.</summary>
    public int PipelineRetries => Volatile.Read(ref _pipelineRetries);

    /// <summary>Completes once GitLab has created a pipeline through the proxy.</summary>
    public Task PipelineCreated => _pipelineCreated.Task;

    /// <summary>Answers pipeline creations <paramref name="delay"/> late.</summary>
    public static Task<GitLabProxy> SlowAsync(TimeSpan delay) => StartAsync(aborted => Task.Delay(delay, aborted));

    /// <summary>
    /// Lets GitLab create the first pipeline on <paramref name="reference"/> but answers 502 in its
    /// place, as a load balancer that lost GitLab's answer would: the caller cannot tell whether the
    /// pipeline exists.
    /// </summary>
    public static async Task<GitLabProxy> BadGatewayOnFirstCreationAsync(string reference)
    {
        var proxy = await StartAsync(_ => Task.CompletedTask);
        proxy._badGatewayRef = reference;
        proxy._badGatewaysLeft = 1;
        return proxy;
    }

    /// <summary>Lets GitLab retry a pipeline the first time but answers 502 in its place: the caller cannot tell whether it retried.</summary>
    public static async Task<GitLabProxy> BadGatewayOnFirstRetryAsync()
    {
        var proxy = await StartAsync(_ => Task.CompletedTask);
        proxy._retryBadGatewaysLeft = 1;
        return proxy;
    }

    /// <summary>Answers the first <paramref name="times"/> lists of a project's jobs 403, as GitLab does for a token that may not read them.</summary>
    public static async Task<GitLabProxy> RefusingJobListsAsync(int times)
    {
        var proxy = await StartAsync(_ => Task.CompletedTask);
        proxy._jobListsToRefuse = times;
        return proxy;
    }

    /// <summary>Lists of a project's jobs answered 403 so far.</summary>
    public int JobListsRefused => Volatile.Read(ref _jobListsRefused);

    /// <summary>Never answers a pipeline creation (until the caller hangs up).</summary>
    public static Task<GitLabProxy> HoldingAsync(Uri upstream) =>
        StartAsync(aborted => Task.Delay(Timeout.Infinite, aborted), upstream);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private static async Task<GitLabProxy> StartAsync(Func<CancellationToken, Task> beforeAnsweringPipelineCreation, Uri? upstream = null)
    {
        GitLabProxy? proxy = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var client = new HttpClient();
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

            if (HttpMethods.IsGet(context.Request.Method)
                && ProjectJobs().IsMatch(context.Request.Path.Value!)
                && Interlocked.Decrement(ref proxy._jobListsToRefuse) >= 0)
            {
                Interlocked.Increment(ref proxy._jobListsRefused);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"message\":\"403 Forbidden\"}");
                return;
            }

            using var response = await client.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value!.EndsWith("/pipeline", StringComparison.Ordinal))
            {
                var createdRef = RefOf(body.ToArray(), context.Request.Query);
                proxy._createdRefs.Enqueue(createdRef);
                proxy._pipelineCreated.TrySetResult();
                await beforeAnsweringPipelineCreation(context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (context.RequestAborted.IsCancellationRequested)
                {
                    return;
                }

                if (createdRef == proxy._badGatewayRef && response.IsSuccessStatusCode && Interlocked.Decrement(ref proxy._badGatewaysLeft) >= 0)
                {
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                    await context.Response.WriteAsync("<html>502 Bad Gateway</html>");
                    return;
                }
            }

            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value!.EndsWith("/retry", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref proxy._pipelineRetries);
                if (Interlocked.Decrement(ref proxy._retryBadGatewaysLeft) >= 0)
                {
                    context.Response.StatusCode = StatusCodes.Status502BadGateway;
                    await context.Response.WriteAsync("<html>502 Bad Gateway</html>");
                    return;
                }
            }

            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(answer);
        });
        proxy = new GitLabProxy(app, client) { Upstream = upstream };
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^/api/v4/projects/[^/]+/jobs$")]
    private static partial System.Text.RegularExpressions.Regex ProjectJobs();

    // GitLab takes the ref in the query string or the body (JSON or form).
    private static string RefOf(byte[] body, IQueryCollection query)
    {
        if (query["ref"].FirstOrDefault() is { Length: > 0 } fromQuery)
        {
            return fromQuery;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("ref", out var value) ? value.GetString() ?? "" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }
}
