using System.Net;
using System.Net.Sockets;
using MergeTrain.GitLab.Api;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

[TestFixture]
public sealed class GitLabClientRetryTests
{
    private const string PipelinePath = "/api/v4/projects/42/pipelines/551940";

    [Test]
    public async Task Throttled_call_waits_as_long_as_retry_after_says_and_then_succeeds()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(429, """{"message":"Retry later"}""", new Dictionary<string, string> { ["Retry-After"] = "7" })
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Status.ShouldBe("running");
        harness.Server.Requests.Count.ShouldBe(2);
        harness.Server.Requests.ShouldAllBe(request => request.Path == PipelinePath && request.Headers["PRIVATE-TOKEN"] == ClientHarness.Token);
        harness.Clock.Delays.ShouldHaveSingleItem().ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Test]
    public async Task Server_errors_are_retried_with_growing_backoff_until_an_answer_comes()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { BaseDelay = TimeSpan.FromSeconds(1), JitterSeed = 3 });
        harness.Server
            .Enqueue(500, """{"message":"500 Internal Server Error"}""")
            .Enqueue(502, "<html>Bad Gateway</html>")
            .Enqueue(503, null)
            .Enqueue(504, null)
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Id.ShouldBe(551940);
        harness.Server.Requests.Count.ShouldBe(5);
        var delays = harness.Clock.Delays;
        delays.Count.ShouldBe(4);
        delays.ShouldAllBe(delay => delay > TimeSpan.Zero);

        // Jittered exponential backoff: single waits vary, but the time waited so far roughly doubles
        // with each retry (between a quarter and all of BaseDelay * 2^n after the n-th).
        var waited = TimeSpan.Zero;
        for (var retry = 1; retry <= delays.Count; retry++)
        {
            waited += delays[retry - 1];
            waited.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(Math.Pow(2, retry)), $"after retry {retry}");
            if (retry >= 2)
            {
                waited.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(Math.Pow(2, retry - 2)), $"after retry {retry}");
            }
        }
    }

    [Test]
    public async Task A_pipeline_creation_that_may_have_happened_is_not_repeated()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(300) });
        harness.Server
            .Enqueue(500, """{"message":"500 Internal Server Error"}""")
            .Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));

        var error = await Should.ThrowAsync<GitLabUnavailableException>(() => harness.Client.CreatePipelineAsync(
            harness.Connection, 42, "merge-train/main/7", new Dictionary<string, string> { ["MERGE_TRAIN_IID"] = "7" }, CancellationToken.None));

        error.Message.ShouldContain("not repeated");
        error.MayHaveTakenEffect.ShouldBeTrue();
        error.StatusCode.ShouldBe(500);
        harness.Server.Requests.Count.ShouldBe(1, "a 500 may come after GitLab created the pipeline");
    }

    [Test]
    public async Task A_note_whose_answer_never_came_is_not_posted_again()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(300) });
        harness.Server
            .Enqueue(new Reply(201, "{}", Delay: TimeSpan.FromSeconds(30)))
            .Enqueue(201, "{}");

        var error = await Should.ThrowAsync<GitLabUnavailableException>(() => harness.Client.CreateNoteAsync(harness.Connection, 42, 7, "hello", CancellationToken.None));

        error.MayHaveTakenEffect.ShouldBeTrue();
        error.StatusCode.ShouldBeNull();
        harness.Server.Requests.Count.ShouldBe(1);
    }

    [Test]
    public async Task A_throttled_pipeline_creation_is_repeated_since_gitlab_did_nothing()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(429, """{"message":"Retry later"}""", new Dictionary<string, string> { ["Retry-After"] = "1" })
            .Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));

        var pipeline = await harness.Client.CreatePipelineAsync(harness.Connection, 42, "merge-train/main/7", new Dictionary<string, string>(), CancellationToken.None);

        pipeline.Id.ShouldBe(551940);
        harness.Server.Requests.Count.ShouldBe(2);
    }

    [Test]
    public async Task Retries_are_logged_with_structured_properties_and_without_the_token()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(503, """{"message":"GitLab is not responding"}""")
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        var entry = harness.Logger.Entries.ShouldHaveSingleItem();
        entry.Level.ShouldBe(LogLevel.Warning);
        entry.Properties["Call"].ShouldBe($"GET /projects/42/pipelines/551940");
        entry.Properties["Attempt"].ShouldBe(1);
        entry.Properties["MaxAttempts"].ShouldBe(5);
        entry.Properties["Failure"].ShouldBe("503 GitLab is not responding");
        entry.Properties.ContainsKey("DelayMs").ShouldBeTrue();
        entry.Message.ShouldNotContain(ClientHarness.Token);
    }

    [Test]
    public async Task A_gitlab_that_keeps_failing_is_given_up_on_after_max_attempts_as_unavailable()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { MaxAttempts = 3, JitterSeed = 1 });
        for (var i = 0; i < 5; i++)
        {
            harness.Server.Enqueue(503, """{"message":"503 Service Unavailable"}""");
        }

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None));

        harness.Server.Requests.Count.ShouldBe(3);
        harness.Clock.Delays.Count.ShouldBe(2);
        error.StatusCode.ShouldBe(503);
        error.Message.ShouldContain("GET /projects/42/pipelines/551940");
        error.Message.ShouldContain("3 attempts");
        error.ToString().ShouldNotContain(ClientHarness.Token);
    }

    [Test]
    public async Task An_attempt_that_gets_no_answer_in_time_is_retried()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(300), JitterSeed = 1 });
        harness.Server
            .Enqueue(new Reply(200, GitLabAnswers.Pipeline(551940, "pending"), Delay: TimeSpan.FromSeconds(30)))
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Status.ShouldBe("running");
        harness.Server.Requests.Count.ShouldBe(2);
        harness.Logger.Entries.ShouldHaveSingleItem().Properties["Failure"].ShouldBe("no answer within 0.3 s");
    }

    [Test]
    public async Task Timeouts_that_never_end_make_the_call_unavailable_with_no_status()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { MaxAttempts = 2, AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        harness.Server
            .Enqueue(new Reply(200, null, Delay: TimeSpan.FromSeconds(30)))
            .Enqueue(new Reply(200, null, Delay: TimeSpan.FromSeconds(30)));

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.CancelPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None));

        error.StatusCode.ShouldBeNull();
        harness.Server.Requests.Count.ShouldBe(2);
    }

    [Test]
    public async Task A_refused_connection_is_retried_like_an_outage()
    {
        await using var harness = ClientHarness.ForUnservedUrl(new Uri($"http://127.0.0.1:{ClosedPort()}"), new GitLabClientOptions { MaxAttempts = 3 });

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.GetMergeRequestAsync(harness.Connection, 42, 7, CancellationToken.None));

        error.InnerException.ShouldBeOfType<HttpRequestException>();
        error.Message.ShouldContain("3 attempts");
        harness.Clock.Delays.Count.ShouldBe(2);
        error.ToString().ShouldNotContain(ClientHarness.Token);
    }

    [Test]
    public async Task Not_found_is_not_retried_and_carries_gitlabs_message()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(404, """{"message":"404 Not found"}""");

        var error = await Should.ThrowAsync<GitLabApiException>(
            () => harness.Client.GetMergeRequestAsync(harness.Connection, 42, 999, CancellationToken.None));

        harness.Server.Requests.Count.ShouldBe(1);
        harness.Clock.Delays.ShouldBeEmpty();
        error.StatusCode.ShouldBe(404);
        error.Message.ShouldBe("GitLab answered GET /projects/42/merge_requests/999 with 404 Not Found: 404 Not found");
    }

    [Test]
    public async Task A_rejected_pipeline_reports_gitlabs_validation_errors_without_retrying()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(400, """{"message":{"base":["Reference not found"]}}""");

        var error = await Should.ThrowAsync<GitLabApiException>(
            () => harness.Client.CreatePipelineAsync(harness.Connection, 42, "merge-train/main/404", new Dictionary<string, string>(), CancellationToken.None));

        harness.Server.Requests.Count.ShouldBe(1);
        error.StatusCode.ShouldBe(400);
        error.Message.ShouldEndWith("base: Reference not found");
    }

    [Test]
    public async Task A_forbidden_call_reports_the_oauth_error_text()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(403, """{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}""");

        var error = await Should.ThrowAsync<GitLabApiException>(
            () => harness.Client.CreateNoteAsync(harness.Connection, 42, 7, "hello", CancellationToken.None));

        harness.Server.Requests.Count.ShouldBe(1);
        error.Message.ShouldContain("insufficient_scope; The request requires higher privileges");
    }

    [Test]
    public async Task The_token_is_redacted_even_when_gitlab_echoes_it()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(401, $$"""{"message":"401 Unauthorized: token {{ClientHarness.Token}} is revoked"}""");

        var error = await Should.ThrowAsync<GitLabApiException>(
            () => harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None));

        error.StatusCode.ShouldBe(401);
        error.Message.ShouldContain("token [redacted] is revoked");
        error.ToString().ShouldNotContain(ClientHarness.Token);
    }

    [Test]
    public async Task An_answer_that_lacks_documented_fields_is_an_error_not_a_half_filled_object()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(200, """{"id":551940,"status":"running"}""");

        var error = await Should.ThrowAsync<GitLabApiException>(
            () => harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None));

        harness.Server.Requests.Count.ShouldBe(1);
        error.Message.ShouldContain("is not the documented JSON");
    }

    [Test]
    public async Task The_callers_cancellation_stops_the_call_instead_of_being_retried()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(new Reply(200, GitLabAnswers.Pipeline(551940, "running"), Delay: TimeSpan.FromSeconds(30)));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(
            () => harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, cancellation.Token));

        harness.Server.Requests.Count.ShouldBe(1);
        harness.Clock.Delays.ShouldBeEmpty();
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
