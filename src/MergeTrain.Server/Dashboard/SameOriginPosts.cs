namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Refuses (403) a state-changing request to the dashboard or its login form that a browser says
/// comes from another site: its <c>Origin</c>, or its <c>Referer</c> when it has no Origin, must
/// be this request's own scheme, host and port. A request with neither is let through (scripts
/// send neither; browsers always send Origin on a POST); the antiforgery token still guards it.
/// A second line behind SameSite cookies and antiforgery tokens, and the only one that holds when
/// a sibling subdomain is hostile (SameSite counts it as the same site).
/// </summary>
internal static class SameOriginPosts
{
    /// <summary>The middleware.</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (IsSafe(request.Method) || !HangfireDashboard.IsDashboardAddress(request.Path))
        {
            await next(context);
            return;
        }

        var claimed = request.Headers.Origin.Count > 0 ? request.Headers.Origin.ToString() : request.Headers.Referer.ToString();
        if (claimed.Length == 0 || IsOwnOrigin(claimed, request))
        {
            await next(context);
            return;
        }

        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SameOriginPosts))
            .LogWarning("Refused a cross-origin {Method} to {Path}", request.Method, request.Path);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        // Behind a TLS proxy whose forwarded headers are not believed, the browser's https origin
        // differs from the http request the service sees: say what to set.
        await context.Response.WriteAsync(
            $"Cross-origin requests to the dashboard are refused: this one came from {claimed}, not from {request.Scheme}://{request.Host}. "
            + "Behind a reverse proxy, set MergeTrain:ForwardedHeaders:Enabled (and KnownProxies) so the service sees the address the browser used.");
    }

    /// <summary>Whether <paramref name="claimed"/> (an Origin, or a Referer URL) names the request's own origin.</summary>
    public static bool IsOwnOrigin(string claimed, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // "null" (an opaque origin: a sandboxed frame, a redirect across sites) is no origin of ours.
        if (!Uri.TryCreate(claimed, UriKind.Absolute, out var uri) || !request.Host.HasValue)
        {
            return false;
        }

        var ownPort = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return uri.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)
            && uri.Host.Equals(request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == ownPort;
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
