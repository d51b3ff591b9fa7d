using System.Net;
using MergeTrain.Testing;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>
/// What guards the dashboard's requests, over real HTTP: Secure cookies behind a TLS proxy, the
/// Origin check and antiforgery on state-changing requests, security headers, and the login rate limit.
/// </summary>
public class DashboardRequestSecurityTests
{
    private const string Token = "ops-token-for-security-tests";
    private const string Evil = "http://evil.example";

    [Test]
    public async Task Behind_a_configured_proxy_that_forwards_https_the_cookies_are_secure_and_without_the_setting_the_header_is_ignored()
    {
        await using var proxied = await ReadyServerAsync(await TestPostgres.CreateDatabaseAsync(), "--MergeTrain:ForwardedHeaders:Enabled=true");
        await using var direct = await ReadyServerAsync(await TestPostgres.CreateDatabaseAsync());

        var (proxiedForm, proxiedLogin) = await LogInThroughTlsProxyAsync(proxied);
        var (directForm, directLogin) = await LogInThroughTlsProxyAsync(direct);

        var antiforgery = AntiforgeryCookie(proxiedForm);
        antiforgery.ShouldContain("secure", Case.Insensitive, "the login form's antiforgery cookie");
        proxiedLogin.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the Origin https://… matches the request the proxy forwarded");
        var session = DashboardSession.SetCookie(proxiedLogin, DashboardSession.SessionCookieName).ShouldNotBeNull();
        session.ShouldContain("; secure", Case.Insensitive);
        session.ShouldContain("; httponly", Case.Insensitive);
        session.ShouldContain("; samesite=strict", Case.Insensitive);
        session.ShouldContain("; path=/", Case.Insensitive);

        // Not configured: the header is anybody's claim, and the request plain HTTP.
        AntiforgeryCookie(directForm).ShouldNotContain("secure", Case.Insensitive);
        directLogin.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "an https Origin is not this plain-HTTP server's");
        using var plainLogin = await PostLoginAsync(direct, directForm, Token, origin: direct.Client.BaseAddress!.GetLeftPart(UriPartial.Authority), forwardedProto: "https");
        plainLogin.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        DashboardSession.SetCookie(plainLogin, DashboardSession.SessionCookieName).ShouldNotBeNull().ShouldNotContain("secure", Case.Insensitive);
    }

    [Test]
    public async Task A_state_changing_request_from_another_origin_is_refused_with_403_and_changes_nothing()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var server = await ReadyServerAsync(database);
        var own = server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        using var admin = new DashboardSession(server.Client.BaseAddress!, Token);
        using var browser = new DashboardSession(server.Client.BaseAddress!);

        using var fromEvil = await browser.LogInAsync(Token, headers: [new("Origin", Evil)]);
        using var refererEvil = await browser.LogInAsync(Token, headers: [new("Referer", Evil + "/page")]);
        using var opaqueOrigin = await browser.LogInAsync(Token, headers: [new("Origin", "null")]);
        using var otherPort = await browser.LogInAsync(Token, headers: [new("Origin", "http://127.0.0.1:1")]);
        var sessionsAfterRefusals = await CountSessionsAsync(database);
        using var hangfireFromEvil = await admin.PostActionAsync("/hangfire/stats", form: [new("metrics[]", "enqueued:count")], headers: [new("Origin", Evil)]);
        using var hangfireFromHere = await admin.PostActionAsync("/hangfire/stats", form: [new("metrics[]", "enqueued:count")], headers: [new("Origin", own)]);
        using var fromHere = await browser.LogInAsync(Token, headers: [new("Origin", own)]);
        using var refererHere = await browser.LogInAsync(Token, headers: [new("Referer", own + "/login?returnUrl=%2Fhangfire")]);

        foreach (var refused in new[] { fromEvil, refererEvil, opaqueOrigin, otherPort, hangfireFromEvil })
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("Cross-origin");
            DashboardSession.SetCookie(refused, DashboardSession.SessionCookieName).ShouldBeNull();
        }

        sessionsAfterRefusals.ShouldBe(0);
        hangfireFromHere.StatusCode.ShouldBe(HttpStatusCode.OK, "the same request from the dashboard's own origin");
        fromHere.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refererHere.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await CountSessionsAsync(database)).ShouldBe(1, "the second login replaced the first one's session");
    }

    [Test]
    public async Task Without_its_antiforgery_token_a_login_a_logout_or_a_hangfire_action_is_refused()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var server = await ReadyServerAsync(database);
        using var admin = new DashboardSession(server.Client.BaseAddress!, Token);
        using var browser = new DashboardSession(server.Client.BaseAddress!);
        _ = await browser.PageAsync("/login");

        using var loginWithout = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent([new("token", Token), new("returnUrl", "/hangfire")]),
        });
        var sessionsAfterForgedLogin = await CountSessionsAsync(database);
        using var login = await browser.LogInAsync(Token);
        using var logoutWithout = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/logout") { Content = new FormUrlEncodedContent([]) });
        using var stillIn = await browser.GetAsync("/hangfire/trains");
        using var statsWithout = await admin.PostActionAsync("/hangfire/stats", withAntiforgery: false, form: [new("metrics[]", "enqueued:count")]);
        using var statsWith = await admin.PostActionAsync("/hangfire/stats", form: [new("metrics[]", "enqueued:count")]);

        loginWithout.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        sessionsAfterForgedLogin.ShouldBe(0);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        logoutWithout.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        stillIn.StatusCode.ShouldBe(HttpStatusCode.OK, "a forged logout does not end the session");
        (await CountSessionsAsync(database)).ShouldBe(1);
        statsWithout.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "Hangfire's dashboard checks ASP.NET's antiforgery token on every POST, an admin's too");
        statsWith.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Test]
    public async Task Every_response_carries_the_security_headers()
    {
        await using var server = await ReadyServerAsync(await TestPostgres.CreateDatabaseAsync());
        using var anonymous = new DashboardSession(server.Client.BaseAddress!);
        using var admin = new DashboardSession(server.Client.BaseAddress!, Token);

        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("login form", await anonymous.GetAsync("/login", asBrowser: true)),
            ("dashboard", await admin.GetAsync("/hangfire", asBrowser: true)),
            ("trains page", await admin.GetAsync("/hangfire/trains", asBrowser: true)),
            ("redirect to login", await anonymous.GetAsync("/hangfire", asBrowser: true)),
            ("dashboard script", await admin.GetAsync("/hangfire/trains", asBrowser: false)),
            ("api", await admin.GetAsync("/api/v4/projects/42/merge_trains")),
            ("api refused", await anonymous.GetAsync("/api/v4/projects/42/merge_trains")),
            ("health", await anonymous.GetAsync("/healthz")),
            ("not found", await anonymous.GetAsync("/no-such-page")),
        };

        foreach (var (what, response) in responses)
        {
            var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
            csp.ShouldContain("frame-ancestors 'none'", customMessage: what);
            csp.ShouldContain("script-src 'self'", customMessage: what);
            csp.ShouldNotContain("'unsafe-eval'", customMessage: what);
            response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"], what);
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"], what);
            response.Headers.GetValues("Referrer-Policy").ShouldBe(["same-origin"], what);
            response.Dispose();
        }
    }

    [Test]
    public async Task Login_attempts_beyond_the_limit_get_429_per_client_address()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var server = await ReadyServerAsync(database, "--MergeTrain:Dashboard:LoginAttemptsPerMinute=3", "--MergeTrain:ForwardedHeaders:Enabled=true");
        using var guesser = new DashboardSession(server.Client.BaseAddress!);
        using var elsewhere = new DashboardSession(server.Client.BaseAddress!);

        var guesses = new List<HttpStatusCode>();
        foreach (var guess in new[] { "guess-1", "guess-2", "guess-3" })
        {
            using var wrong = await guesser.LogInAsync(guess);
            guesses.Add(wrong.StatusCode);
        }

        using var limited = await guesser.LogInAsync(Token);
        var message = await limited.Content.ReadAsStringAsync();
        var sessionsWhileLimited = await CountSessionsAsync(database);

        // Another client behind the same (trusted, loopback) proxy has an allowance of its own.
        using var otherClient = await elsewhere.LogInAsync(Token, headers: [new("X-Forwarded-For", "198.51.100.7")]);

        guesses.ShouldBe([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized]);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the fourth attempt within a minute, right token or not");
        message.ShouldContain("Too many login attempts");
        limited.Headers.RetryAfter.ShouldNotBeNull();
        sessionsWhileLimited.ShouldBe(0);
        otherClient.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await CountSessionsAsync(database)).ShouldBe(1);
    }

    // The login form and its POST as a browser behind a TLS-terminating proxy sends them, the proxy
    // adding X-Forwarded-Proto. Cookies are carried by hand: the test talks plain HTTP, over which
    // a client would not send back the Secure cookies a server behind TLS rightly sets.
    private static async Task<(HttpResponseMessage Form, HttpResponseMessage Login)> LogInThroughTlsProxyAsync(RunningServer server)
    {
        using var client = RawClient(server);
        using var formRequest = new HttpRequestMessage(HttpMethod.Get, "/login");
        formRequest.Headers.Add("X-Forwarded-Proto", "https");
        var form = await client.SendAsync(formRequest);
        var origin = "https://" + server.Client.BaseAddress!.Authority;
        var login = await PostLoginAsync(server, form, Token, origin, forwardedProto: "https");
        return (form, login);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(RunningServer server, HttpResponseMessage form, string token, string origin, string forwardedProto)
    {
        var (field, value) = DashboardSession.FormAntiforgery(await form.Content.ReadAsStringAsync());
        using var client = RawClient(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent([new(field, value), new("token", token), new("returnUrl", "/hangfire")]),
        };
        var antiforgery = AntiforgeryCookie(form);
        request.Headers.Add("Cookie", antiforgery[..antiforgery.IndexOf(';', StringComparison.Ordinal)]);
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        request.Headers.Add("Origin", origin);
        return await client.SendAsync(request);
    }

    private static string AntiforgeryCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(cookie => cookie.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));

    private static HttpClient RawClient(RunningServer server) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<RunningServer> ReadyServerAsync(string database, params string[] settings)
    {
        var server = await RunningServer.StartAsync(
            [$"--MergeTrain:ConnectionString={database}", "--MergeTrain:ApiTokens:0:Name=ops", $"--MergeTrain:ApiTokens:0:Token={Token}", "--MergeTrain:ApiTokens:0:Role=admin", .. settings]);
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    private static async Task<long> CountSessionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM dashboard_sessions", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
