using System.Net;
using MergeTrain.Server.Tests.EndToEnd;
using MergeTrain.Testing;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The dashboard over plain HTTP: who may see what, and what an empty service says.</summary>
public class DashboardHttpTests
{
    [Test]
    public async Task A_browser_without_a_token_is_sent_to_the_login_page_and_a_script_gets_401()
    {
        await using var server = await ReadyServerAsync("ops", "ops-token", "admin");
        using var anonymous = new DashboardSession(server.Client.BaseAddress!);

        using var browser = await anonymous.GetAsync("/hangfire/trains?x=1", asBrowser: true);
        using var script = await anonymous.GetAsync("/hangfire/trains");
        using var wrongToken = new DashboardSession(server.Client.BaseAddress!, "not-a-token");
        using var scriptWithWrongToken = await wrongToken.GetAsync("/hangfire");

        browser.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        browser.Headers.Location!.ToString().ShouldBe("/login?returnUrl=%2Fhangfire%2Ftrains%3Fx%3D1");
        script.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "scripts get the API's answer, not a redirect");
        scriptWithWrongToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PageAsync("/login")).ShouldContain("name=\"token\"");
    }

    [Test]
    public async Task The_login_form_refuses_a_wrong_token_keeps_a_right_one_in_the_cookie_and_returns_only_into_the_dashboard()
    {
        await using var server = await ReadyServerAsync("ops", "ops-token", "admin");
        using var browser = new DashboardSession(server.Client.BaseAddress!);
        using var elsewhere = new DashboardSession(server.Client.BaseAddress!);

        using var wrong = await browser.LogInAsync("guess", "/hangfire/recurring");
        var refused = await wrong.Content.ReadAsStringAsync();
        using var right = await browser.LogInAsync("ops-token", "/hangfire/recurring");
        var recurring = await browser.PageAsync("/hangfire/recurring");
        using var offSite = await elsewhere.LogInAsync("ops-token", "https://evil.example/");

        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.ShouldContain("That token is not valid.");
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        right.Headers.Location!.ToString().ShouldBe("/hangfire/recurring");
        right.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("mergetrain_token=", StringComparison.Ordinal)
            && cookie.Contains("httponly", StringComparison.OrdinalIgnoreCase) && cookie.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        recurring.ShouldContain("Recurring Jobs", customMessage: "the cookie lets the browser in");
        offSite.Headers.Location!.ToString().ShouldBe("/hangfire", "the form is no open redirect");
    }

    [Test]
    public async Task Before_the_database_is_ready_the_dashboard_answers_503()
    {
        await using var server = await RunningServer.StartAsync(
            "--MergeTrain:ConnectionString=Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none;Timeout=2",
            "--MergeTrain:ApiTokens:0:Name=ops", "--MergeTrain:ApiTokens:0:Token=ops-token", "--MergeTrain:ApiTokens:0:Role=admin");
        using var ops = new DashboardSession(server.Client.BaseAddress!, "ops-token");

        using var home = await ops.GetAsync("/hangfire");

        home.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Test]
    public async Task With_no_project_the_dashboard_says_how_to_add_one()
    {
        await using var server = await RunningServer.StartAsync(
            $"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}",
            "--MergeTrain:ApiTokens:0:Name=viewer", "--MergeTrain:ApiTokens:0:Token=viewer-token", "--MergeTrain:ApiTokens:0:Role=developer");
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        server.Client.DefaultRequestHeaders.Add("PRIVATE-TOKEN", "viewer-token");

        var page = await server.Client.GetStringAsync("/dashboard");

        page.ShouldContain("No project is configured yet");
        page.ShouldContain("MergeTrain__Projects__0__Id");
        page.ShouldNotContain("<button type=\"submit\">Pause</button>");
    }

    [Test]
    public async Task A_viewer_cannot_act_on_a_train()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        using var viewer = world.ClientWith(TrainWorld.DeveloperToken);

        var page = await viewer.GetStringAsync("/dashboard");
        var pause = await viewer.PostAsync($"/dashboard/trains/{TrainWorld.ProjectId}/main/pause", null);

        page.ShouldContain($"car !{mr.Iid}");
        page.ShouldNotContain(">Pause</button>", customMessage: "buttons are for admins");
        pause.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    // A server on a fresh database, with no project and one token.
    private static async Task<RunningServer> ReadyServerAsync(string name, string token, string role)
    {
        var server = await RunningServer.StartAsync(
            $"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}",
            $"--MergeTrain:ApiTokens:0:Name={name}", $"--MergeTrain:ApiTokens:0:Token={token}", $"--MergeTrain:ApiTokens:0:Role={role}");
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return server;
    }
}
