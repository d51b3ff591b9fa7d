namespace MergeTrain.Server.Http;

/// <summary>
/// The <c>MergeTrain:ForwardedHeaders</c> section: whether the service sits behind a reverse proxy
/// whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> it believes. Off by default: a
/// client could otherwise claim HTTPS or another address. When on, only proxies on loopback and
/// those listed here are believed.
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MergeTrain:ForwardedHeaders";

    /// <summary>Whether forwarded headers are honoured at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of the proxies believed, besides loopback (e.g. <c>10.0.0.5</c>).</summary>
    public List<string> KnownProxies { get; } = [];

    /// <summary>Networks of the proxies believed, in CIDR notation (e.g. <c>10.0.0.0/24</c>).</summary>
    public List<string> KnownNetworks { get; } = [];
}
