using System.Text.Json.Nodes;
using MergeTrain.GitLab.Api;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

[TestFixture]
public sealed class GitLabClientRequestTests
{
    private ClientHarness _harness = null!;

    [SetUp]
    public async Task StartAsync() => _harness = await ClientHarness.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _harness.DisposeAsync();

    [Test]
    public async Task Get_merge_request_calls_the_v4_path_with_the_token_and_reads_the_answer()
    {
        _harness.Server.Enqueue(200, GitLabAnswers.MergeRequest);

        var mergeRequest = await _harness.Client.GetMergeRequestAsync(_harness.Connection, 42, 7, CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/merge_requests/7");
        request.Headers["PRIVATE-TOKEN"].ShouldBe(ClientHarness.Token);
        request.Body.ShouldBeEmpty();
        mergeRequest.Id.ShouldBe(90311);
        mergeRequest.Iid.ShouldBe(7);
        mergeRequest.ProjectId.ShouldBe(42);
        mergeRequest.Title.ShouldBe("Accept trailing commas in widget specs");
        mergeRequest.State.ShouldBe("opened");
        mergeRequest.Draft.ShouldBeFalse();
        mergeRequest.Sha.ShouldBe("b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09");
        mergeRequest.SourceBranch.ShouldBe("parser-trailing-commas");
        mergeRequest.TargetBranch.ShouldBe("main");
        mergeRequest.WebUrl.ShouldBe("https://gitlab.example.com/acme/widgets/-/merge_requests/7");
        mergeRequest.CreatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 9, 14, 2, 118, TimeSpan.Zero));
        mergeRequest.Labels.ShouldBe(["backend", "merge-train"]);
        mergeRequest.Author.ShouldNotBeNull().Username.ShouldBe("dwhitfield");
    }

    [Test]
    public async Task Create_pipeline_posts_ref_and_variables_as_a_json_body()
    {
        _harness.Server.Enqueue(201, GitLabAnswers.Pipeline(551940, "created"));
        var variables = new Dictionary<string, string>
        {
            ["MERGE_TRAIN_IID"] = "7",
            ["MERGE_TRAIN_TARGET_BRANCH"] = "main",
            ["MERGE_TRAIN_POSITION"] = "1",
        };

        var pipeline = await _harness.Client.CreatePipelineAsync(_harness.Connection, 42, "merge-train/main/7", variables, CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v4/projects/42/pipeline");
        request.Query.ShouldBeEmpty();
        request.Headers["PRIVATE-TOKEN"].ShouldBe(ClientHarness.Token);
        request.Headers["Content-Type"].ShouldStartWith("application/json");
        var expected = JsonNode.Parse("""
            {
              "ref": "merge-train/main/7",
              "variables": [
                { "key": "MERGE_TRAIN_IID", "value": "7", "variable_type": "env_var" },
                { "key": "MERGE_TRAIN_TARGET_BRANCH", "value": "main", "variable_type": "env_var" },
                { "key": "MERGE_TRAIN_POSITION", "value": "1", "variable_type": "env_var" }
              ]
            }
            """);
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), expected).ShouldBeTrue(request.Body);
        pipeline.Id.ShouldBe(551940);
        pipeline.Status.ShouldBe("created");
        pipeline.Ref.ShouldBe("merge-train/main/7");
        pipeline.Sha.ShouldBe("e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14");
        pipeline.WebUrl.ShouldBe("https://gitlab.example.com/acme/widgets/-/pipelines/551940");
        pipeline.UpdatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 13, 53, 11, 27, TimeSpan.Zero));
    }

    [Test]
    public async Task Get_pipeline_reads_its_status()
    {
        _harness.Server.Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));

        var pipeline = await _harness.Client.GetPipelineAsync(_harness.Connection, 42, 551940, CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines/551940");
        pipeline.Status.ShouldBe("running");
    }

    [Test]
    public async Task Cancel_pipeline_posts_to_the_cancel_path()
    {
        _harness.Server.Enqueue(200, GitLabAnswers.Pipeline(551940, "canceled"));

        var pipeline = await _harness.Client.CancelPipelineAsync(_harness.Connection, 42, 551940, CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines/551940/cancel");
        request.Headers["PRIVATE-TOKEN"].ShouldBe(ClientHarness.Token);
        pipeline.Status.ShouldBe("canceled");
    }

    [Test]
    public async Task List_pipelines_filters_by_escaped_ref_and_sha()
    {
        _harness.Server.Enqueue(200, $"[{GitLabAnswers.Pipeline(551941, "failed")}, {GitLabAnswers.Pipeline(551940, "canceled")}]");

        var pipelines = await _harness.Client.ListPipelinesAsync(
            _harness.Connection, 42, "merge-train/main/7", "e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14", CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines");
        request.Query.ShouldBe("?ref=merge-train%2Fmain%2F7&sha=e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14&per_page=100");
        pipelines.Select(pipeline => pipeline.Id).ShouldBe([551941L, 551940L]);
        pipelines[0].Status.ShouldBe("failed");
    }

    [Test]
    public async Task List_commit_pipelines_filters_by_sha_alone_newest_first()
    {
        _harness.Server.Enqueue(200, $"[{GitLabAnswers.Pipeline(551943, "running")}, {GitLabAnswers.Pipeline(551942, "failed")}]");

        var pipelines = await _harness.Client.ListCommitPipelinesAsync(_harness.Connection, 42, "e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14", CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/api/v4/projects/42/pipelines");
        request.Query.ShouldBe("?sha=e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14&order_by=id&sort=desc&per_page=100");
        pipelines.Select(pipeline => (pipeline.Id, pipeline.Status)).ShouldBe([(551943L, "running"), (551942L, "failed")]);
    }

    [Test]
    public async Task Create_note_posts_the_body()
    {
        _harness.Server.Enqueue(201, GitLabAnswers.Note);

        await _harness.Client.CreateNoteAsync(_harness.Connection, 42, 7, "merged by the merge train (pipeline #551940)", CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v4/projects/42/merge_requests/7/notes");
        request.Headers["PRIVATE-TOKEN"].ShouldBe(ClientHarness.Token);
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse("""{"body":"merged by the merge train (pipeline #551940)"}""")).ShouldBeTrue(request.Body);
    }

    [Test]
    public async Task Set_commit_status_posts_state_name_url_and_description_and_omits_an_absent_ref()
    {
        _harness.Server.Enqueue(201, GitLabAnswers.CommitStatus);
        var status = new GitLabCommitStatus("failed", "merge-train", "https://gitlab.example.com/acme/widgets/-/pipelines/551941", "Merged result pipeline failed");

        await _harness.Client.SetCommitStatusAsync(_harness.Connection, 42, "b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09", status, CancellationToken.None);

        var request = _harness.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v4/projects/42/statuses/b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09");
        var expected = JsonNode.Parse("""
            {
              "state": "failed",
              "name": "merge-train",
              "target_url": "https://gitlab.example.com/acme/widgets/-/pipelines/551941",
              "description": "Merged result pipeline failed"
            }
            """);
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), expected).ShouldBeTrue(request.Body);
    }

    [Test]
    public async Task Set_commit_status_sends_the_ref_when_given()
    {
        _harness.Server.Enqueue(201, GitLabAnswers.CommitStatus);
        var status = new GitLabCommitStatus("running", "merge-train", null, "Merged result pipeline running", Ref: "merged-results/7");

        await _harness.Client.SetCommitStatusAsync(_harness.Connection, 42, "b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09", status, CancellationToken.None);

        var body = JsonNode.Parse(_harness.Server.Requests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
        body["ref"]!.GetValue<string>().ShouldBe("merged-results/7");
        body["state"]!.GetValue<string>().ShouldBe("running");
        body.AsObject().ContainsKey("target_url").ShouldBeFalse();
    }

    [Test]
    public async Task A_gitlab_served_under_a_sub_path_gets_api_v4_appended_to_it()
    {
        await using var harness = await ClientHarness.StartAsync(basePath: "/gitlab/");
        harness.Server.Enqueue(200, GitLabAnswers.Pipeline(551940, "success"));

        await harness.Client.GetPipelineAsync(harness.Connection, 42, 551940, CancellationToken.None);

        harness.Server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/gitlab/api/v4/projects/42/pipelines/551940");
    }
}
