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
    public async Task Without_a_token_the_dashboard_sends_to_the_login_form_and_hangfire_redirects_to_the_dashboard()
    {
        await using var server = await RunningServer.StartAsync($"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Client.BaseAddress };

        var hangfire = await client.GetAsync("/hangfire");
        hangfire.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        hangfire.Headers.Location!.ToString().ShouldBe("/dashboard");
        var dashboard = await client.GetAsync("/dashboard/jobs");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        dashboard.Headers.Location!.ToString().ShouldBe("/dashboard/login");
        (await client.PostAsync("/dashboard/jobs/1/requeue", null)).Headers.Location!.ToString().ShouldBe("/dashboard/login");
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
}
