using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 5, webhooks: authentication, redeliveries and malformed payloads.</summary>
public class WebhookDeliveryTests
{
    [Test]
    public async Task A_redelivered_hook_is_answered_202_both_times_and_processed_once()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "new\n" });
        gitLab.Ci.HoldPipelines = true;

        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        var first = gitLab.Deliveries.Last(d => d.EventName == "Merge Request Hook");
        first.Body.ShouldContain("\"merge-train\"");
        var again = await gitLab.RedeliverAsync(first);

        first.StatusCode.ShouldBe(202);
        again.StatusCode.ShouldBe(202);
        again.IdempotencyKey.ShouldBe(first.IdempotencyKey);
        await world.WaitForPipelineAsync(mr.Iid);
        await world.WaitUntilQuietAsync();

        // Stored once as accepted, once as a duplicate; one car, one note.
        (await world.QueryAsync<long>(
            "SELECT count(*) FROM webhook_deliveries WHERE event_uuid = @uuid AND outcome = 'accepted'", ("uuid", first.EventUuid))).ShouldBe(1);
        (await world.QueryAsync<long>(
            "SELECT count(*) FROM webhook_deliveries WHERE event_uuid = @uuid AND outcome = 'duplicate'", ("uuid", first.EventUuid))).ShouldBe(1);
        using var list = await world.Api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains");
        list.Headers.GetValues("X-Total").Single().ShouldBe("1");
        gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Count(n => n.Body.Contains("started a merge train", StringComparison.Ordinal)).ShouldBe(1);
        world.CarPipelines.Count.ShouldBe(1);
    }

    [Test]
    public async Task A_delivery_with_a_wrong_or_missing_token_is_refused_with_401_and_neither_kept_nor_processed()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "new\n" });

        // Capture GitLab's label-added hook without letting it reach the service.
        gitLab.RemoveWebhook(world.Hook);
        var unreachable = gitLab.AddWebhook(new Uri("http://127.0.0.1:1/webhooks/gitlab"), "unused");
        await gitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        var captured = gitLab.Deliveries.Last(d => d.Hook.Id == unreachable.Id && d.EventName == "Merge Request Hook");

        using (var wrong = await PostAsync(world, captured.Body, "Merge Request Hook", "not-the-secret", captured.EventUuid))
        {
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString().ShouldBe("401 Unauthorized - invalid X-Gitlab-Token");
        }

        using (var missing = await PostAsync(world, captured.Body, "Merge Request Hook", null, captured.EventUuid))
        {
            missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        await world.WaitUntilQuietAsync();
        (await world.QueryAsync<long>("SELECT count(*) FROM webhook_deliveries WHERE event_uuid = @uuid", ("uuid", captured.EventUuid)))
            .ShouldBe(0, "nothing of a stranger's request is stored");
        (await world.Server.Client.GetStringAsync("/metrics")).ShouldContain("mergetrain_webhooks_refused_total{reason=\"invalid_token\"} 2");
        (await world.CarAsync(mr.Iid)).ShouldBeNull();

        // The same bytes with the right secret are accepted and add the MR: the token was what stopped them.
        gitLab.RemoveWebhook(unreachable);
        gitLab.AddWebhook(world.Hook.Url, world.Hook.SecretToken);
        using (var right = await PostAsync(world, captured.Body, "Merge Request Hook", TrainWorld.WebhookSecret, captured.EventUuid))
        {
            right.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await world.WaitForCarAsync(mr.Iid, "merged");
    }

    [Test]
    public async Task A_late_hook_of_an_older_push_does_not_drop_the_car_pinned_on_the_newer_head()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "one\n" });

        // The hook of the second push is held back (GitLab's delivery is slow); the third push's arrives.
        gitLab.RemoveWebhook(world.Hook);
        var unreachable = gitLab.AddWebhook(new Uri("http://127.0.0.1:1/webhooks/gitlab"), "unused");
        var second = await gitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, mr.Iid, new Dictionary<string, string?> { ["feature.txt"] = "two\n" });
        var late = gitLab.Deliveries.Last(d => d.Hook.Id == unreachable.Id && d.EventName == "Merge Request Hook");
        late.Body.ShouldContain(second.Sha);
        gitLab.RemoveWebhook(unreachable);
        gitLab.AddWebhook(world.Hook.Url, world.Hook.SecretToken);
        var third = await gitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, mr.Iid, new Dictionary<string, string?> { ["feature.txt"] = "three\n" });
        await gitLab.ScanRepositoriesAsync();
        await world.WaitUntilQuietAsync();

        gitLab.Ci.HoldPipelines = true;
        using (var added = await world.AddThroughApiAsync(mr.Iid))
        {
            added.EnsureSuccessStatusCode();
        }

        var pipeline = await world.WaitForPipelineAsync(mr.Iid);

        // Now the second push's hook arrives, naming an older head than the car's: GitLab says the car's is current.
        using (var delivered = await PostAsync(world, late.Body, "Merge Request Hook", TrainWorld.WebhookSecret, late.EventUuid))
        {
            delivered.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await TrainWorld.WaitUntilAsync(
            async () => await world.QueryAsync<long>("SELECT count(*) FROM webhook_deliveries WHERE event_uuid = @uuid AND processed_at IS NOT NULL", ("uuid", late.EventUuid)) == 1,
            "the late hook to be processed");
        (await world.CarAsync(mr.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh", "the car is not dropped for an update it holds");
        world.CarPipelines.ShouldHaveSingleItem().Id.ShouldBe(pipeline);

        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(mr.Iid, "merged");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!))[1].ShouldBe(third.Sha);
    }

    [Test]
    public async Task A_malformed_payload_or_an_unknown_event_is_refused_with_400_and_a_clear_message()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });

        using (var broken = await PostAsync(world, "{\"object_kind\": \"merge_request\", ", "Merge Request Hook", TrainWorld.WebhookSecret, Guid.NewGuid().ToString()))
        {
            broken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            var message = (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString();
            message.ShouldNotBeNull().ShouldStartWith("400 Bad request - Merge Request Hook: the body is not valid JSON");
        }

        using (var unknown = await PostAsync(world, "{\"object_kind\": \"bogus\"}", "Bogus Hook", TrainWorld.WebhookSecret, Guid.NewGuid().ToString()))
        {
            unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            var message = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString();
            message.ShouldNotBeNull().ShouldContain("Unknown X-Gitlab-Event 'Bogus Hook'");
        }

        using (var unnamed = await PostAsync(world, "{}", null, TrainWorld.WebhookSecret, Guid.NewGuid().ToString()))
        {
            unnamed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await unnamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString().ShouldNotBeNull().ShouldContain("X-Gitlab-Event header is missing");
        }

        using (var incomplete = await PostAsync(world, "{\"object_kind\": \"merge_request\"}", "Merge Request Hook", TrainWorld.WebhookSecret, Guid.NewGuid().ToString()))
        {
            incomplete.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a hook without the fields MergeTrain needs");
        }

        (await world.QueryAsync<long>("SELECT count(*) FROM webhook_deliveries WHERE outcome <> 'rejected'")).ShouldBe(0, "nothing malformed is stored for processing");
        (await world.QueryAsync<long>("SELECT count(*) FROM work_requests WHERE kind = 'drain_webhooks'")).ShouldBe(0);
        (await world.QueryAsync<long>("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%WebhookJobs%'")).ShouldBe(0, "no drain job for what was refused");
    }

    [Test]
    public async Task A_body_over_the_limit_is_refused_413_on_the_bytes_read_even_without_a_length()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });

        // Chunked: no Content-Length to check, so only counting the bytes read can catch it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StreamContent(new EndlessJson(26 * 1024 * 1024)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Gitlab-Event", "Push Hook");
        request.Headers.Add("X-Gitlab-Token", TrainWorld.WebhookSecret);
        using var response = await world.Server.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await world.QueryAsync<long>("SELECT count(*) FROM webhook_deliveries")).ShouldBe(0);
    }

    /// <summary>A stream of a given length of JSON-looking bytes whose length nobody announces.</summary>
    private sealed class EndlessJson(long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            buffer.AsSpan(offset, n).Fill((byte)' ');
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task<HttpResponseMessage> PostAsync(TrainWorld world, string body, string? eventName, string? token, string eventUuid)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (eventName is not null)
        {
            request.Headers.Add("X-Gitlab-Event", eventName);
        }

        if (token is not null)
        {
            request.Headers.Add("X-Gitlab-Token", token);
        }

        request.Headers.Add("X-Gitlab-Event-UUID", eventUuid);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await world.Server.Client.SendAsync(request);
    }
}
