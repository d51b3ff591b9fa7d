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
    private readonly HttpClient _client;

    public DashboardSession(Uri baseAddress, string? token = null)
    {
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
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
    public async Task<HttpResponseMessage> PostActionAsync(string path, bool withAntiforgery = true, IEnumerable<KeyValuePair<string, string>>? form = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form ?? []) };
        if (withAntiforgery)
        {
            var page = await PageAsync("/hangfire/trains");
            request.Headers.Add(Meta(page, "csrf-header"), Meta(page, "csrf-token"));
        }

        return await _client.SendAsync(request);
    }

    /// <summary>POSTs the login form as a browser does, with the form's own antiforgery field.</summary>
    public async Task<HttpResponseMessage> LogInAsync(string token, string returnUrl = "/hangfire")
    {
        var form = await PageAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var field = AntiforgeryField().Match(form);
        if (!field.Success)
        {
            throw new InvalidOperationException("the login form has no antiforgery field");
        }

        return await _client.PostAsync("/login", new FormUrlEncodedContent(
        [
            new(WebUtility.HtmlDecode(field.Groups["name"].Value), WebUtility.HtmlDecode(field.Groups["value"].Value)),
            new("returnUrl", returnUrl),
            new("token", token),
        ]));
    }

    public void Dispose() => _client.Dispose();

    private static string Meta(string page, string name)
    {
        var match = Regex.Match(page, $"<meta name=\"{name}\" content=\"(?<value>[^\"]*)\">");
        return match.Success ? WebUtility.HtmlDecode(match.Groups["value"].Value) : throw new InvalidOperationException($"the page has no {name} meta element");
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex AntiforgeryField();
}
