using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// The dashboard's session cookie: the session's random id, protected by ASP.NET Data Protection
/// (authenticated encryption, HMAC-SHA256 over the payload) with the key ring every instance shares
/// in the database, so that a tampered or made-up cookie is refused before the database is asked.
/// HttpOnly, SameSite=Strict, Path=/, and Secure whenever the request is HTTPS.
/// </summary>
internal sealed class DashboardSessionCookie(IDataProtectionProvider dataProtection)
{
    /// <summary>The cookie's name.</summary>
    public const string Name = "mergetrain_session";

    // Versioned so that a later change of the payload can refuse old cookies cleanly.
    private readonly IDataProtector _protector = dataProtection.CreateProtector("MergeTrain.Dashboard.SessionCookie.v1");

    /// <summary>Sets the cookie for a session of id <paramref name="id"/>, kept by the browser for <paramref name="lifetime"/>.</summary>
    public void Write(HttpContext context, byte[] id, TimeSpan lifetime)
    {
        var options = Options(context.Request);
        options.MaxAge = lifetime;
        context.Response.Cookies.Append(Name, WebEncoders.Base64UrlEncode(_protector.Protect(id)), options);
        DeleteTokenCookieOfOldReleases(context);
    }

    // Before sessions, the login cookie held the API token itself; browsers that still have it are told to drop it.
    private const string TokenCookieOfOldReleases = "mergetrain_token";

    /// <summary>Tells the browser to forget the cookie (and the token cookie of releases before sessions).</summary>
    public static void Delete(HttpContext context)
    {
        context.Response.Cookies.Delete(Name, Options(context.Request));
        DeleteTokenCookieOfOldReleases(context);
    }

    private static void DeleteTokenCookieOfOldReleases(HttpContext context)
    {
        if (context.Request.Cookies.ContainsKey(TokenCookieOfOldReleases))
        {
            context.Response.Cookies.Delete(TokenCookieOfOldReleases, Options(context.Request));
        }
    }

    /// <summary>The session id the request's cookie carries, if it has one whose protection holds; null otherwise.</summary>
    public byte[]? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return _protector.Unprotect(WebEncoders.Base64UrlDecode(value));
        }
        catch (Exception error) when (error is CryptographicException or FormatException)
        {
            // Tampered with, made up, or signed by a key the ring no longer has: no session.
            return null;
        }
    }

    private static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
