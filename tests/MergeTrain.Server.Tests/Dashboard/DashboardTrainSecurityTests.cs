using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MergeTrain.Server.Tests.EndToEnd;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The Trains page on a live train: only web links are rendered as links, and its actions refuse forged requests.</summary>
public class DashboardTrainSecurityTests
{
    [Test]
    public async Task A_pipeline_url_that_is_not_http_is_shown_as_text_not_as_a_link()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        var pipelineId = await world.WaitForPipelineAsync(mr.Iid);
        var pipeline = world.CarPipelines.Single(p => p.Id == pipelineId);
        using var developer = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken);
        var before = await developer.PageAsync("/hangfire/trains");

        // A pipeline hook, with the right secret, whose pipeline page is a script.
        const string hostile = "javascript:alert(document.cookie)//";
        using (var hook = PipelineHook(pipeline.Id, pipeline.Ref, pipeline.Sha, hostile))
        {
            (await world.Server.Client.SendAsync(hook)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await TrainWorld.WaitUntilAsync(
            async () => (await world.QueryAsync<string>("SELECT state::text FROM trains")).Contains(hostile, StringComparison.Ordinal),
            "the train to record the hook's pipeline address");
        var after = await developer.PageAsync("/hangfire/trains");

        before.ShouldContain($"<a href=\"{pipeline.WebUrl}\" target=\"_blank\" rel=\"noopener noreferrer\">#{pipeline.Id}</a>", customMessage: "an http(s) address is a link");
        after.ShouldContain($"pipeline #{pipeline.Id}");
        after.ShouldNotContain($">#{pipeline.Id}</a>", customMessage: "the pipeline number is plain text");
        after.ShouldNotContain("javascript:", Case.Insensitive);
    }

    [Test]
    public async Task An_admins_train_action_from_another_origin_or_without_antiforgery_is_refused_and_from_the_dashboard_it_works()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["a.txt"] = "a\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("change", "Change", new Dictionary<string, string?> { ["b.txt"] = "b\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(mr.Iid);
        using var admin = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);
        var own = world.Server.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        using var crossOrigin = await admin.PostActionAsync("/hangfire/trains/42/pause?branch=main", headers: [new("Origin", "https://evil.example")]);
        using var crossSiteReferer = await admin.PostActionAsync($"/hangfire/trains/42/cars/{mr.Iid}/remove", headers: [new("Referer", "https://evil.example/x")]);
        using var withoutAntiforgery = await admin.PostActionAsync("/hangfire/trains/42/pause?branch=main", withAntiforgery: false, headers: [new("Origin", own)]);
        var pausedBefore = await world.QueryAsync<bool>("SELECT (state->>'Paused')::boolean FROM trains");
        var carBefore = (await world.CarAsync(mr.Iid))!.Value.GetProperty("status").GetString();
        using var fromDashboard = await admin.PostActionAsync("/hangfire/trains/42/pause?branch=main", headers: [new("Origin", own)]);

        crossOrigin.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        crossSiteReferer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        withoutAntiforgery.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "an admin's action needs Hangfire's antiforgery token too");
        pausedBefore.ShouldBeFalse();
        carBefore.ShouldBe("fresh");
        fromDashboard.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await world.QueryAsync<bool>("SELECT (state->>'Paused')::boolean FROM trains")).ShouldBeTrue();
    }

    private static HttpRequestMessage PipelineHook(long id, string @ref, string sha, string url)
    {
        var body = new JsonObject
        {
            ["object_kind"] = "pipeline",
            ["object_attributes"] = new JsonObject { ["id"] = id, ["ref"] = @ref, ["sha"] = sha, ["status"] = "running", ["source"] = "api", ["url"] = url },
            ["project"] = new JsonObject { ["id"] = TrainWorld.ProjectId, ["path_with_namespace"] = TrainWorld.ProjectPath },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StringContent(body.ToJsonString(), new MediaTypeHeaderValue("application/json")) };
        request.Headers.Add("X-Gitlab-Token", TrainWorld.WebhookSecret);
        request.Headers.Add("X-Gitlab-Event", "Pipeline Hook");
        request.Headers.Add("X-Gitlab-Event-UUID", Guid.NewGuid().ToString());
        return request;
    }
}
