using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace MergeTrain.Server.Http;

/// <summary>
/// ASP.NET's forwarded-headers middleware, configured from <see cref="ProxyOptions"/>: behind a
/// TLS-terminating proxy, <c>X-Forwarded-Proto: https</c> makes the request HTTPS (so cookies are
/// <c>Secure</c>), <c>X-Forwarded-Host</c> gives the host the browser used (the dashboard's Origin
/// check compares against it) and <c>X-Forwarded-For</c> the client's address (login rate limits).
/// </summary>
internal static class ForwardedHeadersSetup
{
    /// <summary>Configures the middleware's options when forwarded headers are enabled.</summary>
    public static IServiceCollection AddProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxy = configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new ProxyOptions();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;

            // The defaults already believe loopback; the configured proxies come on top.
            foreach (var address in proxy.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(address, out var ip)
                    ? ip
                    : throw new InvalidOperationException($"{ProxyOptions.Section}:KnownProxies has '{address}', which is not an IP address."));
            }

            foreach (var network in proxy.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"{ProxyOptions.Section}:KnownNetworks has '{network}', which is not a network in CIDR notation."));
            }
        });
        return services;
    }

    /// <summary>Adds the middleware, first in the pipeline, when forwarded headers are enabled.</summary>
    public static IApplicationBuilder UseProxyHeaders(this IApplicationBuilder app, IConfiguration configuration)
    {
        var proxy = configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new ProxyOptions();
        return proxy.Enabled ? app.UseForwardedHeaders() : app;
    }
}
