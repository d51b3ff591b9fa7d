using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

[TestFixture]
public sealed class PipelineHookParsingTests
{
    [Test]
    public void A_finished_pipeline_is_read_with_its_status_and_page()
    {
        var hook = GitLabWebhookParser.Parse("Pipeline Hook", SamplePayloads.Read("pipeline_success.json")).ShouldBeOfType<PipelineHookEvent>();

        hook.EventName.ShouldBe("Pipeline Hook");
        hook.ProjectId.ShouldBe(42);
        hook.Actor.ShouldNotBeNull().Username.ShouldBe("mergetrain-bot");
        hook.PipelineId.ShouldBe(551940);
        hook.Ref.ShouldBe("merge-train/main/7");
        hook.Sha.ShouldBe("e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14");
        hook.Status.ShouldBe("success");
        hook.Source.ShouldBe("api");
        hook.Tag.ShouldBeFalse();
        hook.WebUrl.ShouldBe("https://gitlab.example.com/acme/widgets/-/pipelines/551940");
        hook.CreatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 13, 53, 10, TimeSpan.Zero));
        hook.FinishedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 14, 1, 47, TimeSpan.Zero));
        hook.DurationSeconds.ShouldBe(503);
        hook.MergeRequest.ShouldBeNull();
    }

    [Test]
    public void Without_a_pipeline_url_the_page_is_built_from_the_project_page()
    {
        var body = SamplePayloads.Edit("pipeline_success.json", payload => payload["object_attributes"]!.AsObject().Remove("url"));

        GitLabWebhookParser.Parse("Pipeline Hook", body).ShouldBeOfType<PipelineHookEvent>()
            .WebUrl.ShouldBe("https://gitlab.example.com/acme/widgets/-/pipelines/551940");
    }

    [Test]
    public void A_merge_request_pipeline_names_its_merge_request()
    {
        var body = SamplePayloads.Edit("pipeline_success.json", payload =>
        {
            payload["object_attributes"]!["ref"] = "refs/merge-requests/7/head";
            payload["object_attributes"]!["status"] = "running";
            payload["object_attributes"]!["finished_at"] = null;
            payload["object_attributes"]!["duration"] = null;
            payload["merge_request"] = new JsonObject
            {
                ["id"] = 90311,
                ["iid"] = 7,
                ["title"] = "Accept trailing commas in widget specs",
                ["source_branch"] = "parser-trailing-commas",
                ["source_project_id"] = 42,
                ["target_branch"] = "main",
                ["target_project_id"] = 42,
                ["state"] = "opened",
                ["merge_status"] = "can_be_merged",
                ["detailed_merge_status"] = "mergeable",
                ["url"] = "https://gitlab.example.com/acme/widgets/-/merge_requests/7",
            };
        });

        var hook = GitLabWebhookParser.Parse("Pipeline Hook", body).ShouldBeOfType<PipelineHookEvent>();

        hook.Status.ShouldBe("running");
        hook.FinishedAt.ShouldBeNull();
        hook.DurationSeconds.ShouldBeNull();
        var mergeRequest = hook.MergeRequest.ShouldNotBeNull();
        mergeRequest.Iid.ShouldBe(7);
        mergeRequest.TargetBranch.ShouldBe("main");
        mergeRequest.HeadSha.ShouldBeNull();
        mergeRequest.Draft.ShouldBeNull();
    }
}
