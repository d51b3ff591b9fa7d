using MergeTrain.GitLab.Api;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

/// <summary>
/// Which failed calls are sent again: reads and idempotent calls after any transient failure, calls
/// that create something only when GitLab surely did nothing (issue 11: one failed-looking "create
/// pipeline" must not create several).
/// </summary>
[TestFixture]
public sealed class GitLabClientRepeatSafetyTests
{
    private const string CreatePipelinePath = "/api/v4/projects/42/pipeline";
    private const string Ref = "merge-train/main/7";

    private static readonly Dictionary<string, string> Variables = new() { ["MERGE_TRAIN_IID"] = "7" };

    [Test]
    public async Task A_read_answered_503_is_retried_and_then_succeeds()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(503, """{"message":"503 Service Unavailable"}""")
            .Enqueue(200, GitLabAnswers.MergeRequest);

        var mergeRequest = await harness.Client.GetMergeRequestAsync(harness.Connection, 42, 7, CancellationToken.None);

        mergeRequest.Iid.ShouldBe(7);
        harness.Server.Requests.Select(request => (request.Method, request.Path))
            .ShouldBe([("GET", "/api/v4/projects/42/merge_requests/7"), ("GET", "/api/v4/projects/42/merge_requests/7")]);
        harness.Clock.Delays.Count.ShouldBe(1);
    }

    [Test]
    public async Task A_read_answered_408_is_retried()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(408, """{"message":"408 Request Timeout"}""")
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Status.ShouldBe("running");
        harness.Server.Requests.Count.ShouldBe(2);
    }

    [Test]
    public async Task A_pipeline_creation_answered_502_reaches_gitlab_once_and_may_have_happened()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(502, "<html>502 Bad Gateway</html>")
            .Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.CreatePipelineAsync(harness.Connection, 42, Ref, Variables, CancellationToken.None));

        harness.Server.Requests.Where(request => request.Method == "POST").ShouldHaveSingleItem().Path.ShouldBe(CreatePipelinePath);
        harness.Server.Requests.Count.ShouldBe(1, "a 502 may come from a proxy after GitLab created the pipeline");
        harness.Clock.Delays.ShouldBeEmpty();
        error.MayHaveTakenEffect.ShouldBeTrue();
        error.StatusCode.ShouldBe(502);
        error.Message.ShouldBe($"GitLab may have performed POST /projects/42/pipeline although it failed (502 <html>502 Bad Gateway</html>); not repeated blindly.");
    }

    [Test]
    public async Task A_pipeline_creation_answered_429_is_sent_again_after_the_retry_after_delay()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(429, """{"message":"Retry later"}""", new Dictionary<string, string> { ["Retry-After"] = "12" })
            .Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));

        var pipeline = await harness.Client.CreatePipelineAsync(harness.Connection, 42, Ref, Variables, CancellationToken.None);

        pipeline.Id.ShouldBe(551940);
        harness.Server.Requests.Select(request => request.Path).ShouldBe([CreatePipelinePath, CreatePipelinePath]);
        harness.Server.Requests[1].Body.ShouldBe(harness.Server.Requests[0].Body, "the repeat is the same request");
        harness.Clock.Delays.ShouldHaveSingleItem().ShouldBe(TimeSpan.FromSeconds(12));
    }

    [Test]
    public async Task A_note_answered_429_waits_for_real_before_it_is_posted_again()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { BaseDelay = TimeSpan.FromMilliseconds(1) }, realClock: true);
        harness.Server
            .Enqueue(429, """{"message":"Retry later"}""", new Dictionary<string, string> { ["Retry-After"] = "1" })
            .Enqueue(201, GitLabAnswers.Note);

        await harness.Client.CreateNoteAsync(harness.Connection, 42, 7, "hello", CancellationToken.None);

        var requests = harness.Server.Requests;
        requests.Count.ShouldBe(2);
        (requests[1].ReceivedAt - requests[0].ReceivedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
    }

    [Test]
    public async Task A_pipeline_creation_whose_connection_was_refused_is_sent_again_once_gitlab_listens()
    {
        var port = GitLabClientRetryTests.ClosedPort();
        await using var harness = ClientHarness.ForUnservedUrl(new Uri($"http://127.0.0.1:{port}"));
        harness.Clock.HoldWaits();

        var creation = harness.Client.CreatePipelineAsync(harness.Connection, 42, Ref, Variables, CancellationToken.None);
        await WaitUntilAsync(() => harness.Clock.Delays.Count == 1, "the refused attempt to be followed by a wait");
        await using var gitLab = await FakeGitLabServer.StartAsync(port);
        gitLab.Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));
        harness.Clock.ReleaseWaits();
        var pipeline = await creation;

        pipeline.Id.ShouldBe(551940);
        gitLab.Requests.ShouldHaveSingleItem().Path.ShouldBe(CreatePipelinePath);
        harness.Logger.Entries.ShouldHaveSingleItem().Properties["Call"].ShouldBe("POST /projects/42/pipeline");
    }

    [Test]
    public async Task A_note_whose_connection_keeps_being_refused_is_unavailable_and_surely_not_posted()
    {
        await using var harness = ClientHarness.ForUnservedUrl(
            new Uri($"http://127.0.0.1:{GitLabClientRetryTests.ClosedPort()}"), new GitLabClientOptions { MaxAttempts = 3 });

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.CreateNoteAsync(harness.Connection, 42, 7, "hello", CancellationToken.None));

        error.MayHaveTakenEffect.ShouldBeFalse();
        error.Message.ShouldContain("after 3 attempts");
        harness.Clock.Delays.Count.ShouldBe(2);
    }

    [Test]
    public async Task Cancelling_a_pipeline_is_repeated_after_a_502_since_a_second_cancel_changes_nothing()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(502, null)
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "canceled"));

        var pipeline = await harness.Client.CancelPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Status.ShouldBe("canceled");
        harness.Server.Requests.Count.ShouldBe(2);
        harness.Server.Requests.ShouldAllBe(request => request.Method == "POST" && request.Path == "/api/v4/projects/42/pipelines/551940/cancel");
    }

    [Test]
    public async Task Retry_after_is_capped_by_max_delay_and_a_date_is_measured_on_the_injected_clock()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { MaxDelay = TimeSpan.FromSeconds(45) });
        harness.Clock.Now = new DateTimeOffset(2025, 3, 11, 14, 0, 0, TimeSpan.Zero);
        harness.Server
            .Enqueue(503, null, new Dictionary<string, string> { ["Retry-After"] = "Tue, 11 Mar 2025 14:00:30 GMT" })
            .Enqueue(429, null, new Dictionary<string, string> { ["Retry-After"] = "3600" })
            .Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        harness.Clock.Delays.ShouldBe([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(45)]);
    }

    [Test]
    public async Task Backoff_waits_never_exceed_max_delay()
    {
        await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { BaseDelay = TimeSpan.FromSeconds(3), MaxDelay = TimeSpan.FromSeconds(3) });
        for (var i = 0; i < 4; i++)
        {
            harness.Server.Enqueue(500, null);
        }

        harness.Server.Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        // Uncapped, four jittered waits from a 3 s base add up to well over 12 s (see the growth test
        // in GitLabClientRetryTests), so at least one of them would be longer than 3 s.
        harness.Clock.Delays.Count.ShouldBe(4);
        harness.Clock.Delays.ShouldAllBe(delay => delay > TimeSpan.Zero && delay <= TimeSpan.FromSeconds(3));
        harness.Clock.Delays.ShouldContain(TimeSpan.FromSeconds(3), "the cap was reached");
    }

    [Test]
    public async Task The_same_jitter_seed_gives_the_same_waits_and_another_seed_others()
    {
        async Task<IReadOnlyList<TimeSpan>> WaitsAsync(int seed)
        {
            await using var harness = await ClientHarness.StartAsync(new GitLabClientOptions { JitterSeed = seed });
            for (var i = 0; i < 3; i++)
            {
                harness.Server.Enqueue(503, null);
            }

            harness.Server.Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));
            await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);
            return harness.Clock.Delays;
        }

        var first = await WaitsAsync(5);

        (await WaitsAsync(5)).ShouldBe(first);
        (await WaitsAsync(6)).ShouldNotBe(first);
    }

    [Test]
    public async Task The_total_timeout_ends_a_call_whose_attempts_keep_timing_out()
    {
        var options = new GitLabClientOptions
        {
            MaxAttempts = 50,
            AttemptTimeout = TimeSpan.FromMilliseconds(200),
            TotalTimeout = TimeSpan.FromMilliseconds(700),
        };
        await using var harness = await ClientHarness.StartAsync(options);
        for (var i = 0; i < 50; i++)
        {
            harness.Server.Enqueue(new Reply(200, GitLabAnswers.Pipeline(551940, "running"), Delay: TimeSpan.FromSeconds(30)));
        }

        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None));

        error.StatusCode.ShouldBeNull();
        error.Message.ShouldContain("the total timeout ran out");
        harness.Server.Requests.Count.ShouldBeInRange(2, 4);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            timeout.IsCancellationRequested.ShouldBeFalse($"timed out waiting for {what}");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
