namespace MergeTrain.Server.Http;

/// <summary>
/// Headers that tell browsers to confine what the service's pages may do, on every response
/// (harmless on the API's JSON): scripts, styles, images and requests only from this origin, no
/// framing by anyone (clickjacking), no MIME sniffing, and no Referer to other sites.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The Content-Security-Policy. Hangfire's dashboard and our pages load scripts only from files
    /// (no inline script, no eval), so <c>script-src 'self'</c> holds; Hangfire's markup has
    /// <c>style</c> attributes and the login form an inline stylesheet, hence <c>'unsafe-inline'</c>
    /// for styles alone, which cannot run code.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The middleware. The headers are set as the response starts, so that they survive the
    /// exception handler clearing a failed response, and win over the antiforgery's own X-Frame-Options.
    /// </summary>
    public static Task AddAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";

            // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on same-origin
            // form posts, which the dashboard's Origin check would refuse.
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
