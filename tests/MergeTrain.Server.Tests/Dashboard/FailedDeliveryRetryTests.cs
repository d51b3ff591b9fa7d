using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MergeTrain.Server.Tests.EndToEnd;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>A delivery that cannot be processed: recorded failed with its reason, not in the way of later ones, retried by an admin.</summary>
public class FailedDeliveryRetryTests
{
    [Test]
    public async Task A_delivery_GitLab_refuses_fails_with_its_reason_holds_nothing_back_and_is_processed_when_an_admin_retries_it()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var first = await world.OpenMergeRequestAsync("first", "First", new Dictionary<string, string?> { ["first.txt"] = "1\n" });

        // A "/merge-train" comment on an MR GitLab does not know yet: the hook's MR lacks its head,
        // so the service asks GitLab, which answers 404.
        var missingIid = first.Iid + 1;
        var uuid = Guid.NewGuid().ToString();
        using (var posted = await PostNoteAsync(world, CommentOn(missingIid, "second"), uuid))
        {
            posted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await TrainWorld.WaitUntilAsync(async () => await DetailAsync(world, uuid) is { } detail && detail.StartsWith("failed: ", StringComparison.Ordinal), "the delivery to be marked failed");
        (await DetailAsync(world, uuid))!.ShouldContain("404");

        // The deliveries behind it are processed.
        await world.GitLab.AddLabelAsync(TrainWorld.ProjectId, first.Iid, "merge-train");
        await world.WaitForPipelineAsync(first.Iid);

        using var admin = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.AdminToken);
        using var developer = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken);
        var id = await world.QueryAsync<long>("SELECT id FROM webhook_deliveries WHERE event_uuid = @uuid", ("uuid", uuid));
        var failedPage = await admin.PageAsync("/hangfire/webhooks?status=failed");
        failedPage.ShouldContain($"data-ajax=\"/hangfire/webhooks/{id}/retry\"", customMessage: "an admin is offered the retry");
        (await developer.PageAsync("/hangfire/webhooks?status=failed")).ShouldNotContain("/retry\"", customMessage: "a developer is not");

        using (var refused = await developer.PostActionAsync($"/hangfire/webhooks/{id}/retry"))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await DetailAsync(world, uuid))!.ShouldStartWith("failed: ", customMessage: "a developer's retry changed nothing");

        // The cause is fixed: the MR now exists. The admin retries; the delivery adds it.
        var second = await world.OpenMergeRequestAsync("second", "Second", new Dictionary<string, string?> { ["second.txt"] = "2\n" });
        second.Iid.ShouldBe(missingIid);
        using (var retried = await admin.PostActionAsync($"/hangfire/webhooks/{id}/retry"))
        {
            retried.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        await world.WaitForCarAsync(second.Iid, "fresh");
        (await DetailAsync(world, uuid)).ShouldBe($"comment /merge-train on MR !{second.Iid}", "what came of it replaces the failure");

        // Only a failed delivery can be retried, and only once per failure.
        using (var again = await admin.PostActionAsync($"/hangfire/webhooks/{id}/retry"))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await again.Content.ReadAsStringAsync()).ShouldContain("not a failed delivery");
        }
    }

    private static string CommentOn(long iid, string sourceBranch)
    {
        var hook = JsonNode.Parse(File.ReadAllText(Path.Combine(SamplesDirectory(), "note_merge_train.json")))!;
        var mergeRequest = hook["merge_request"]!.AsObject();
        mergeRequest["iid"] = iid;
        mergeRequest["source_branch"] = sourceBranch;
        mergeRequest["target_branch"] = "main";
        mergeRequest.Remove("last_commit");
        mergeRequest.Remove("draft");
        mergeRequest.Remove("work_in_progress");
        return hook.ToJsonString();
    }

    private static async Task<HttpResponseMessage> PostNoteAsync(TrainWorld world, string body, string uuid)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Gitlab-Event", "Note Hook");
        request.Headers.Add("X-Gitlab-Token", TrainWorld.WebhookSecret);
        request.Headers.Add("X-Gitlab-Event-UUID", uuid);
        return await world.Server.Client.SendAsync(request);
    }

    private static async Task<string?> DetailAsync(TrainWorld world, string uuid) =>
        await world.QueryAsync<object>("SELECT coalesce(detail, '') FROM webhook_deliveries WHERE event_uuid = @uuid AND outcome = 'accepted'", ("uuid", uuid)) as string;

    private static string SamplesDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var samples = Path.Combine(directory.FullName, "samples", "webhooks");
            if (Directory.Exists(samples))
            {
                return samples;
            }
        }

        throw new DirectoryNotFoundException("samples/webhooks was not found above the test's directory");
    }
}
