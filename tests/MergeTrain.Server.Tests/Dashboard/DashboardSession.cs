using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>
/// A client of the dashboard over HTTP as a script or a browser would be: its own cookies, no
/// redirects followed, optionally a token in <c>PRIVATE-TOKEN</c>, and Hangfire's antiforgery
/// token read from a page as Hangfire's script reads it.
/// </summary>
internal sealed partial class DashboardSession : IDisposable
{
    /// <summary>The name of the dashboard's session cookie.</summary>
    public const string SessionCookieName = "mergetrain_session";

    private readonly HttpClient _client;
    private readonly CookieContainer _cookies = new();
    private readonly Uri _baseAddress;

    public DashboardSession(Uri baseAddress, string? token = null)
    {
        _baseAddress = baseAddress;
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = _cookies })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (token is not null)
        {
            _client.DefaultRequestHeaders.Add("PRIVATE-TOKEN", token);
        }
    }

    public Task<HttpResponseMessage> GetAsync(string path, bool asBrowser = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (asBrowser)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        }

        return _client.SendAsync(request);
    }

    /// <summary>Sends <paramref name="request"/> with this browser's cookies (and token, if it has one).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    /// <summary>A page's HTML; fails unless it answers 200.</summary>
    public async Task<string> PageAsync(string path)
    {
        using var response = await GetAsync(path, asBrowser: true);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {body}");
        }

        return body;
    }

    /// <summary>
    /// POSTs to an action under <c>/hangfire</c> as Hangfire's script does: with the antiforgery
    /// header of a page this session loaded, unless <paramref name="withAntiforgery"/> is false.
    /// </summary>
    public async Task<HttpResponseMessage> PostActionAsync(
        string path, bool withAntiforgery = true, IEnumerable<KeyValuePair<string, string>>? form = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form ?? []) };
        if (withAntiforgery)
        {
            var page = await PageAsync("/hangfire/trains");
            request.Headers.Add(Meta(page, "csrf-header"), Meta(page, "csrf-token"));
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await _client.SendAsync(request);
    }

    /// <summary>POSTs the login form as a browser does, with the form's own antiforgery field.</summary>
    public async Task<HttpResponseMessage> LogInAsync(string token, string returnUrl = "/hangfire", IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var form = await PageAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var field = AntiforgeryField().Match(form);
        if (!field.Success)
        {
            throw new InvalidOperationException("the login form has no antiforgery field");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(
            [
                new(WebUtility.HtmlDecode(field.Groups["name"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value)),
                new("returnUrl", returnUrl),
                new("token", token),
            ]),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await _client.SendAsync(request);
    }

    /// <summary>Gives this browser a cookie, as if an earlier answer had set it.</summary>
    public void AddCookie(string name, string value) => _cookies.Add(_baseAddress, new Cookie(name, value, "/"));

    /// <summary>The session cookie's value this browser holds, or null.</summary>
    public string? SessionCookie => _cookies.GetCookies(_baseAddress)[SessionCookieName]?.Value;

    /// <summary>Logs out as a browser does: the Log out button of the login page, with its antiforgery field.</summary>
    public async Task<HttpResponseMessage> LogOutAsync()
    {
        var page = await PageAsync("/login");
        if (!page.Contains("action=\"/logout\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the login page offers no Log out: this browser is not logged in");
        }

        var field = AntiforgeryField().Match(page);
        return await _client.PostAsync("/logout", new FormUrlEncodedContent(
            [new(WebUtility.HtmlDecode(field.Groups["name"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value))]));
    }

    /// <summary>
    /// A GET that carries <paramref name="cookies"/> (<c>name=value; …</c>) exactly as given, from a
    /// client that keeps none: a cookie the browser would have dropped (expired, or Secure over
    /// plain HTTP) is still presented, as an attacker who copied it would.
    /// </summary>
    public static async Task<HttpResponseMessage> GetWithCookiesAsync(Uri baseAddress, string path, string cookies, bool asBrowser = false, string? token = null)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookies.Length > 0)
        {
            request.Headers.Add("Cookie", cookies);
        }
        if (asBrowser)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        }

        if (token is not null)
        {
            request.Headers.Add("PRIVATE-TOKEN", token);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The <c>Set-Cookie</c> header of <paramref name="response"/> that sets <paramref name="name"/>, or null.</summary>
    public static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(cookie => cookie.StartsWith(name + "=", StringComparison.Ordinal))
            : null;

    /// <summary>The value a <c>Set-Cookie</c> header sets.</summary>
    public static string CookieValue(string setCookie) => setCookie[(setCookie.IndexOf('=', StringComparison.Ordinal) + 1)..].Split(';')[0];

    /// <summary>The antiforgery form field (name, value) of a page's form.</summary>
    public static (string Name, string Value) FormAntiforgery(string page)
    {
        var field = AntiforgeryField().Match(page);
        return field.Success
            ? (WebUtility.HtmlDecode(field.Groups["name"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value))
            : throw new InvalidOperationException("the page has no antiforgery field");
    }

    /// <summary>Hangfire's antiforgery header (name, value), as a page of the dashboard carries it.</summary>
    public static (string Name, string Value) HeaderAntiforgery(string page) => (Meta(page, "csrf-header"), Meta(page, "csrf-token"));

    public void Dispose() => _client.Dispose();

    private static string Meta(string page, string name)
    {
        var match = Regex.Match(page, $"<meta name=\"{name}\" content=\"(?<value>[^\"]*)\">");
        return match.Success ? WebUtility.HtmlDecode(match.Groups["value"].Value) : throw new InvalidOperationException($"the page has no {name} meta element");
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex AntiforgeryField();
}
