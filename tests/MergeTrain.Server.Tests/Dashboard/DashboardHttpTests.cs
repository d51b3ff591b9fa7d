using System.Net;
using System.Net.Http.Headers;
using MergeTrain.Server.Tests.EndToEnd;
using MergeTrain.Testing;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The operator dashboard over plain HTTP: who may see and do what, and what its pages say.</summary>
public class DashboardHttpTests
{
    private static readonly string[] MergeTrainPages = ["/hangfire/trains", "/hangfire/webhooks", "/hangfire/audit", "/hangfire/charts", "/hangfire/flaky-jobs"];

    private static readonly string[] HangfirePages = ["/hangfire", "/hangfire/jobs/enqueued", "/hangfire/jobs/failed", "/hangfire/retries", "/hangfire/recurring", "/hangfire/servers"];

    [Test]
    public async Task A_browser_without_a_token_is_sent_to_the_login_page_a_script_gets_401_and_dashboard_leads_to_hangfire()
    {
        await using var server = await ReadyServerAsync("ops", "ops-token", "admin");
        using var anonymous = new DashboardSession(server.Client.BaseAddress!);

        using var browser = await anonymous.GetAsync("/hangfire/trains?x=1", asBrowser: true);
        using var script = await anonymous.GetAsync("/hangfire/trains");
        using var wrongToken = new DashboardSession(server.Client.BaseAddress!, "not-a-token");
        using var scriptWithWrongToken = await wrongToken.GetAsync("/hangfire");
        using var oldRoot = await anonymous.GetAsync("/dashboard");
        using var oldPage = await anonymous.GetAsync("/dashboard/webhooks?status=failed");

        browser.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        browser.Headers.Location!.ToString().ShouldBe("/login?returnUrl=%2Fhangfire%2Ftrains%3Fx%3D1");
        script.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "scripts get the API's answer, not a redirect");
        scriptWithWrongToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        oldRoot.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        oldRoot.Headers.Location!.ToString().ShouldBe("/hangfire");
        oldPage.Headers.Location!.ToString().ShouldBe("/hangfire/webhooks?status=failed");
        (await anonymous.PageAsync("/login")).ShouldContain("name=\"token\"");
    }

    [Test]
    public async Task The_login_form_refuses_a_wrong_token_opens_a_session_for_a_right_one_and_returns_only_into_the_dashboard()
    {
        await using var server = await ReadyServerAsync("ops", "ops-token", "admin");
        using var browser = new DashboardSession(server.Client.BaseAddress!);
        using var elsewhere = new DashboardSession(server.Client.BaseAddress!);

        using var wrong = await browser.LogInAsync("guess", "/hangfire/charts");
        var refused = await wrong.Content.ReadAsStringAsync();
        using var right = await browser.LogInAsync("ops-token", "/hangfire/charts");
        var charts = await browser.PageAsync("/hangfire/charts");
        using var offSite = await elsewhere.LogInAsync("ops-token", "https://evil.example/");

        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.ShouldContain("That token is not valid.");
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        right.Headers.Location!.ToString().ShouldBe("/hangfire/charts");
        right.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("mergetrain_session=", StringComparison.Ordinal) && !cookie.Contains("ops-token", StringComparison.Ordinal)
            && cookie.Contains("httponly", StringComparison.OrdinalIgnoreCase) && cookie.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        charts.ShouldContain("Merges per hour", customMessage: "the cookie lets the browser in");
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
        using var trains = await ops.GetAsync("/hangfire/trains");

        home.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        trains.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    [Test]
    public async Task With_no_project_the_trains_page_says_how_to_add_one()
    {
        await using var server = await ReadyServerAsync("viewer", "viewer-token", "developer");
        using var viewer = new DashboardSession(server.Client.BaseAddress!, "viewer-token");

        var page = await viewer.PageAsync("/hangfire/trains");

        page.ShouldContain("No project is configured yet");
        page.ShouldContain("MergeTrain__Projects__0__Id");
    }

    [Test]
    public async Task A_developer_token_sees_every_page_with_mergetrains_pages_in_hangfires_navigation_and_no_actions()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(mr.Iid);
        using var developer = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken);
        using var admin = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);

        foreach (var path in MergeTrainPages.Concat(HangfirePages).Append($"/hangfire/cars/{TrainWorld.ProjectId}/{mr.Iid}"))
        {
            var page = await developer.PageAsync(path);
            foreach (var (href, label) in new[] { ("/hangfire/trains", "Trains"), ("/hangfire/webhooks", "Webhooks"), ("/hangfire/audit", "Audit log"), ("/hangfire/charts", "Charts"), ("/hangfire/flaky-jobs", "Flaky jobs") })
            {
                page.ShouldMatch($"<a href=\"{href}\">\\s*{label}", $"{path} shows {label} in Hangfire's navigation");
            }

            page.ShouldContain("alice (viewer)", customMessage: $"{path} says who is logged in");
            page.ShouldNotContain("data-ajax=", customMessage: $"{path} offers a developer no action");
        }

        var trains = await developer.PageAsync("/hangfire/trains");
        trains.ShouldContain($"aria-label=\"car !{mr.Iid}\"");
        trains.ShouldContain("<title>Trains – MergeTrain</title>");
        (await admin.PageAsync("/hangfire/trains")).ShouldContain("data-ajax=\"/hangfire/trains/42/pause?branch=main\"", customMessage: "an admin has the actions");
    }

    [Test]
    public async Task A_forged_action_from_a_developer_is_refused_with_or_without_an_antiforgery_token_and_changes_nothing()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(mr.Iid);
        var failedJob = await FailedJob.CreateAsync(world.Server);
        var historyBefore = FailedJob.History(world.Server, failedJob).Count;
        using var developer = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken);

        using var pauseWithout = await developer.PostActionAsync("/hangfire/trains/42/pause?branch=main", withAntiforgery: false);
        using var pauseWith = await developer.PostActionAsync("/hangfire/trains/42/pause?branch=main");
        using var remove = await developer.PostActionAsync($"/hangfire/trains/42/cars/{mr.Iid}/remove");
        using var mergeNow = await developer.PostActionAsync($"/hangfire/trains/42/cars/{mr.Iid}/merge-immediately?branch=main");
        using var requeue = await developer.PostActionAsync("/hangfire/jobs/failed/requeue", form: [new("jobs[]", failedJob)]);
        using var requeueOne = await developer.PostActionAsync($"/hangfire/jobs/actions/requeue/{failedJob}");

        pauseWithout.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "Hangfire refuses a POST without its antiforgery token");
        pauseWith.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a developer's dashboard is read-only");
        (await pauseWith.Content.ReadAsStringAsync()).ShouldContain("admin");
        remove.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        mergeNow.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        requeue.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "Hangfire's own actions are refused in read-only mode");
        requeueOne.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await TrainIsPausedAsync(world)).ShouldBeFalse();
        (await world.CarAsync(mr.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh");
        FailedJob.History(world.Server, failedJob).Count.ShouldBe(historyBefore, "the failed job was not requeued");
    }

    [Test]
    public async Task An_admin_pauses_resumes_removes_and_merges_immediately_through_the_dashboards_actions()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        var ((first, _), (second, _), _) = await world.HeldTrainOfThreeAsync();
        using var admin = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);

        using var pause = await admin.PostActionAsync("/hangfire/trains/42/pause?branch=main");
        var pausedPage = await admin.PageAsync("/hangfire/trains");
        var paused = await TrainIsPausedAsync(world);
        using var resume = await admin.PostActionAsync("/hangfire/trains/42/resume?branch=main");
        var resumed = !await TrainIsPausedAsync(world);
        using var remove = await admin.PostActionAsync($"/hangfire/trains/42/cars/{second.Iid}/remove");
        using var mergeNow = await admin.PostActionAsync($"/hangfire/trains/42/cars/{first.Iid}/merge-immediately?branch=main");
        using var unknownTrain = await admin.PostActionAsync("/hangfire/trains/42/pause?branch=nowhere");
        using var asGet = await admin.GetAsync("/hangfire/trains/42/pause?branch=main");

        pause.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        paused.ShouldBeTrue();
        pausedPage.ShouldContain("mt-paused-label");
        pausedPage.ShouldContain("data-ajax=\"/hangfire/trains/42/resume?branch=main\"");
        resume.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        resumed.ShouldBeTrue();
        remove.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await world.WaitForCarAsync(second.Iid, "dropped")).GetProperty("status").GetString().ShouldBe("dropped");
        mergeNow.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await world.WaitForCarAsync(first.Iid, "merged");
        unknownTrain.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknownTrain.Content.ReadAsStringAsync()).ShouldBe("404 Merge Train Not Found");
        asGet.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed, "actions are POSTs only");
        var audit = await admin.PageAsync($"/hangfire/audit?project=42&branch=main&iid={second.Iid}");
        audit.ShouldContain("removed", Case.Insensitive);
        audit.ShouldContain("ops");
    }

    [Test]
    public async Task Hostile_titles_branch_names_and_headers_are_shown_escaped()
    {
        const string title = "<script>alert('title')</script>";
        const string branch = "x\"<b>bold<i";
        const string uuid = "<img src=x onerror=alert(1)>";
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync(branch, title, new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(mr.Iid);
        using (var hook = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StringContent("{}", new MediaTypeHeaderValue("application/json")) })
        {
            // A hook kind MergeTrain does not use is stored and ignored: its headers reach the Webhooks page.
            hook.Headers.Add("X-Gitlab-Token", TrainWorld.WebhookSecret);
            hook.Headers.Add("X-Gitlab-Event", "Job Hook");
            hook.Headers.Add("X-Gitlab-Event-UUID", uuid);
            (await world.Server.Client.SendAsync(hook)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var developer = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken);

        var trains = await developer.PageAsync("/hangfire/trains");
        var history = await developer.PageAsync($"/hangfire/cars/42/{mr.Iid}");
        var webhooks = await developer.PageAsync("/hangfire/webhooks");

        foreach (var page in new[] { trains, history })
        {
            page.ShouldContain("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;");
            page.ShouldNotContain(title);
        }

        trains.ShouldContain("x&quot;&lt;b&gt;bold&lt;i");
        trains.ShouldNotContain(branch);
        webhooks.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
        webhooks.ShouldNotContain(uuid);
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

    private static Task<bool> TrainIsPausedAsync(TrainWorld world) => world.QueryAsync<bool>("SELECT (state->>'Paused')::boolean FROM trains");
}
