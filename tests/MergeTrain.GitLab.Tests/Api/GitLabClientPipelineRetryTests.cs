using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

/// <summary>Retrying a failed pipeline's jobs and naming them (issue 12: retry before evicting).</summary>
[TestFixture]
public sealed class GitLabClientPipelineRetryTests
{
    private const string Jobs = """
        [
          { "id": 8801, "name": "unit-tests", "status": "failed", "stage": "test", "ref": "merge-train/main/7" },
          { "id": 8803, "name": "integration", "status": "canceled", "stage": "test", "ref": "merge-train/main/7" }
        ]
        """;

    [Test]
    public async Task Retry_posts_to_the_pipeline_retry_path_and_reads_the_pipeline()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(201, GitLabAnswers.Pipeline(551940, "pending"));

        var pipeline = await harness.Client.RetryPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        var request = harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines/551940/retry");
        request.Headers["PRIVATE-TOKEN"].ShouldBe(ClientHarness.Token);
        pipeline.Id.ShouldBe(551940);
        pipeline.Status.ShouldBe("pending");
    }

    [Test]
    public async Task A_retry_answered_502_is_sent_again_since_a_second_retry_finds_nothing_failed()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server
            .Enqueue(502, null)
            .Enqueue(201, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await harness.Client.RetryPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        pipeline.Status.ShouldBe("running");
        harness.Server.Requests.Count.ShouldBe(2);
        harness.Server.Requests.ShouldAllBe(request => request.Method == "POST" && request.Path == "/api/v4/projects/42/pipelines/551940/retry");
    }

    [Test]
    public async Task Listing_the_projects_pending_jobs_asks_for_the_pending_scope_across_its_pipelines()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(200, """
            [
              { "id": 9902, "name": "compile", "status": "pending", "stage": "build", "ref": "merge-train/main/8" },
              { "id": 9901, "name": "lint", "status": "pending", "stage": "test", "ref": "main" }
            ]
            """);

        var jobs = await harness.Client.ListPendingJobsAsync(harness.Connection, 42, CancellationToken.None);

        var request = harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/jobs");
        Uri.UnescapeDataString(request.Query).ShouldBe("?scope[]=pending&per_page=100");
        jobs.Select(job => (job.Id, job.Status)).ShouldBe([(9902L, "pending"), (9901L, "pending")]);
    }

    [Test]
    public async Task Listing_jobs_sends_every_scope_and_reads_names_and_statuses()
    {
        await using var harness = await ClientHarness.StartAsync();
        harness.Server.Enqueue(200, Jobs);

        var jobs = await harness.Client.ListPipelineJobsAsync(harness.Connection, 42, 551940, ["failed", "canceled"], CancellationToken.None);

        var request = harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines/551940/jobs");
        Uri.UnescapeDataString(request.Query).ShouldBe("?scope[]=failed&scope[]=canceled&per_page=100");
        jobs.Select(job => (job.Id, job.Name, job.Status, job.Stage)).ShouldBe([(8801L, "unit-tests", "failed", "test"), (8803L, "integration", "canceled", "test")]);
    }
}
