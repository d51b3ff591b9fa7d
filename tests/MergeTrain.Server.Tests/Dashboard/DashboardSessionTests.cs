using System.Net;
using MergeTrain.Application.Jobs;
using MergeTrain.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>
/// Browser sessions of the dashboard: a login opens a session in the database, the cookie holds
/// only its signed id, logging out ends it on every instance, it expires, and it opens nothing but
/// the dashboard.
/// </summary>
public class DashboardSessionTests
{
    private const string Token = "ops-token-for-session-tests";

    [Test]
    public async Task A_login_opens_a_session_that_every_instance_honours_and_logging_out_ends_it_on_all_of_them_at_once()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var first = await ReadyServerAsync(database);
        using var browser = new DashboardSession(first.Client.BaseAddress!);

        using var login = await browser.LogInAsync(Token, "/hangfire/trains");
        var cookie = browser.SessionCookie;
        await using var second = await ReadyServerAsync(database);
        var sessions = await SessionsAsync(database);
        using var onFirst = await WithSessionAsync(first, cookie!, "/hangfire/trains");
        using var onSecond = await WithSessionAsync(second, cookie!, "/hangfire/trains");

        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        cookie.ShouldNotBeNullOrEmpty();
        cookie.ShouldNotContain(Token, customMessage: "the cookie holds a session id, never the token");
        sessions.ShouldBe([("ops", "admin")]);
        onFirst.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await onFirst.Content.ReadAsStringAsync()).ShouldContain("ops (admin)");
        onSecond.StatusCode.ShouldBe(HttpStatusCode.OK, "the second instance reads the first one's cookie: the signing keys are in the database");

        // Logging out on the first instance ends the session on both, at once.
        using var logout = await browser.LogOutAsync();
        using var afterOnFirst = await WithSessionAsync(first, cookie!, "/hangfire/trains");
        using var afterOnSecond = await WithSessionAsync(second, cookie!, "/hangfire/trains");
        using var browserAfter = await DashboardSession.GetWithCookiesAsync(second.Client.BaseAddress!, "/hangfire", $"{DashboardSession.SessionCookieName}={cookie}", asBrowser: true);

        logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        DashboardSession.SetCookie(logout, DashboardSession.SessionCookieName).ShouldNotBeNull().ShouldContain("expires=Thu, 01 Jan 1970", Case.Insensitive);
        (await SessionsAsync(database)).ShouldBeEmpty();
        afterOnFirst.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the copied cookie no longer works");
        afterOnSecond.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        browserAfter.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        browserAfter.Headers.Location!.ToString().ShouldStartWith("/login");
    }

    [Test]
    public async Task A_session_expires_after_its_configured_lifetime_and_the_prune_job_deletes_it()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var server = await ReadyServerAsync(database, "--MergeTrain:Dashboard:SessionLifetime=00:00:05");
        using var browser = new DashboardSession(server.Client.BaseAddress!);

        using var login = await browser.LogInAsync(Token);
        var setCookie = DashboardSession.SetCookie(login, DashboardSession.SessionCookieName).ShouldNotBeNull();
        var cookie = DashboardSession.CookieValue(setCookie);
        using var fresh = await WithSessionAsync(server, cookie, "/hangfire");
        var lifetime = await ScalarAsync<TimeSpan>(database, "SELECT expires_at - created_at FROM dashboard_sessions");

        setCookie.ShouldContain("max-age=5", Case.Insensitive);
        lifetime.ShouldBe(TimeSpan.FromSeconds(5));
        fresh.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The cookie is presented after its expiry as a copy of it would be; the server refuses it by itself.
        await EndToEnd.TrainWorld.WaitUntilAsync(
            async () =>
            {
                using var late = await WithSessionAsync(server, cookie, "/hangfire");
                return late.StatusCode == HttpStatusCode.Unauthorized;
            },
            "the session to expire",
            TimeSpan.FromSeconds(30));
        var storedAfterExpiry = await ScalarAsync<long>(database, "SELECT count(*) FROM dashboard_sessions");
        await server.Services.GetRequiredService<HistoryPruner>().PruneAsync(CancellationToken.None);

        storedAfterExpiry.ShouldBe(1, "refused because it expired, not because it was gone");
        (await ScalarAsync<long>(database, "SELECT count(*) FROM dashboard_sessions")).ShouldBe(0, "the prune job deletes expired sessions");
    }

    [Test]
    public async Task The_session_cookie_is_no_api_token_and_a_token_in_a_cookie_is_no_session()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var server = await ReadyServerAsync(database);
        using var browser = new DashboardSession(server.Client.BaseAddress!);
        browser.AddCookie("mergetrain_token", Token);
        using var login = await browser.LogInAsync(Token);
        var session = $"{DashboardSession.SessionCookieName}={browser.SessionCookie}";
        const string api = "/api/v4/projects/42/merge_trains";
        var tampered = browser.SessionCookie!;
        tampered = $"{DashboardSession.SessionCookieName}={tampered[..^2]}{(tampered[^2] == 'A' ? 'B' : 'A')}{tampered[^1]}";

        using var apiWithSession = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, api, session);
        using var apiWithToken = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, api, "", token: Token);
        using var apiWithOldCookie = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, api, $"mergetrain_token={Token}");
        using var dashboardWithOldCookie = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, "/hangfire", $"mergetrain_token={Token}");
        using var tokenAsSession = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, "/hangfire", $"{DashboardSession.SessionCookieName}={Token}");
        using var tamperedSession = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, "/hangfire", tampered);
        using var dashboardWithSession = await DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, "/hangfire", session);

        apiWithSession.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the API takes tokens in headers only");
        apiWithToken.StatusCode.ShouldNotBe(HttpStatusCode.Unauthorized, "the same request with the token in PRIVATE-TOKEN is authenticated");
        apiWithOldCookie.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the old token cookie is no longer read");
        dashboardWithOldCookie.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        tokenAsSession.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a session cookie must be signed by the server");
        tamperedSession.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        dashboardWithSession.StatusCode.ShouldBe(HttpStatusCode.OK, "the session itself still works on the dashboard");
        DashboardSession.SetCookie(login, "mergetrain_token").ShouldNotBeNull("a browser holding the old token cookie is told to drop it")
            .ShouldContain("expires=Thu, 01 Jan 1970", Case.Insensitive);
    }

    [Test]
    public async Task A_session_ends_when_its_token_is_no_longer_configured()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        string cookie;
        await using (var before = await ReadyServerAsync(database))
        {
            using var browser = new DashboardSession(before.Client.BaseAddress!);
            using var login = await browser.LogInAsync(Token);
            cookie = browser.SessionCookie!;
        }

        // The same database, the token now configured as a developer's: the admin session does not carry over.
        await using var after = await RunningServer.StartAsync(
            $"--MergeTrain:ConnectionString={database}",
            "--MergeTrain:ApiTokens:0:Name=ops", $"--MergeTrain:ApiTokens:0:Token={Token}", "--MergeTrain:ApiTokens:0:Role=developer");
        await after.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        using var refused = await WithSessionAsync(after, cookie, "/hangfire");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static Task<HttpResponseMessage> WithSessionAsync(RunningServer server, string cookie, string path) =>
        DashboardSession.GetWithCookiesAsync(server.Client.BaseAddress!, path, $"{DashboardSession.SessionCookieName}={cookie}");

    private static async Task<RunningServer> ReadyServerAsync(string database, params string[] settings)
    {
        var server = await RunningServer.StartAsync(
            [$"--MergeTrain:ConnectionString={database}", "--MergeTrain:ApiTokens:0:Name=ops", $"--MergeTrain:ApiTokens:0:Token={Token}", "--MergeTrain:ApiTokens:0:Role=admin", .. settings]);
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    private static async Task<List<(string Name, string Role)>> SessionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT token_name, role FROM dashboard_sessions WHERE expires_at > now()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            sessions.Add((reader.GetString(0), reader.GetString(1)));
        }

        return sessions;
    }

    private static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
