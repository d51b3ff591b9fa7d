using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

[TestFixture]
public sealed class MergeRequestHookParsingTests
{
    [Test]
    public void Opened_merge_request_is_read_field_for_field()
    {
        var parsed = GitLabWebhookParser.Parse("Merge Request Hook", SamplePayloads.Read("merge_request_open.json"));

        var hook = parsed.ShouldBeOfType<MergeRequestHookEvent>();
        hook.EventName.ShouldBe("Merge Request Hook");
        hook.ProjectId.ShouldBe(42);
        hook.Project.ShouldBe(new WebhookProject(42, "acme/widgets", "https://gitlab.example.com/acme/widgets"));
        hook.Actor.ShouldBe(new WebhookUser(17, "dwhitfield", "Dana Whitfield"));
        hook.MergeRequestId.ShouldBe(90311);
        hook.Iid.ShouldBe(7);
        hook.Title.ShouldBe("Accept trailing commas in widget specs");
        hook.Description.ShouldBe("Teaches the parser to accept trailing commas.");
        hook.State.ShouldBe("opened");
        hook.Action.ShouldBe("open");
        hook.Draft.ShouldBeFalse();
        hook.DraftChanged.ShouldBeNull();
        hook.HeadSha.ShouldBe("3f9c2d61e0a84b5c9d7e1f20a6b4c8d0e2f41a57");
        hook.SourceBranch.ShouldBe("parser-trailing-commas");
        hook.TargetBranch.ShouldBe("main");
        hook.SourceProjectId.ShouldBe(42);
        hook.TargetProjectId.ShouldBe(42);
        hook.OldRev.ShouldBeNull();
        hook.HasNewCommits.ShouldBeFalse();
        hook.MergeCommitSha.ShouldBeNull();
        hook.Url.ShouldBe("https://gitlab.example.com/acme/widgets/-/merge_requests/7");
        hook.CreatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 9, 14, 2, TimeSpan.Zero));
        hook.UpdatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 9, 14, 2, TimeSpan.Zero));
        hook.Labels.ShouldBeEmpty();
        hook.LabelsAdded.ShouldBeEmpty();
        hook.LabelsRemoved.ShouldBeEmpty();
    }

    [Test]
    public void New_commits_are_recognised_by_oldrev_and_the_new_head_is_the_last_commit()
    {
        var hook = GitLabWebhookParser.Parse("Merge Request Hook", SamplePayloads.Read("merge_request_update_new_commits.json"))
            .ShouldBeOfType<MergeRequestHookEvent>();

        hook.Action.ShouldBe("update");
        hook.OldRev.ShouldBe("3f9c2d61e0a84b5c9d7e1f20a6b4c8d0e2f41a57");
        hook.HasNewCommits.ShouldBeTrue();
        hook.HeadSha.ShouldBe("b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09");
        hook.Labels.ShouldBe(["backend"]);
        hook.LabelsAdded.ShouldBeEmpty();
        hook.LabelsRemoved.ShouldBeEmpty();
    }

    [Test]
    public void An_added_label_is_found_by_comparing_previous_and_current_labels()
    {
        var hook = GitLabWebhookParser.Parse("Merge Request Hook", SamplePayloads.Read("merge_request_label_added.json"))
            .ShouldBeOfType<MergeRequestHookEvent>();

        hook.Actor.Username.ShouldBe("rmenon");
        hook.OldRev.ShouldBeNull();
        hook.Labels.ShouldBe(["backend", "merge-train"]);
        hook.LabelsAdded.ShouldBe(["merge-train"]);
        hook.LabelsRemoved.ShouldBeEmpty();
    }

    [Test]
    public void A_removed_label_is_reported_as_removed()
    {
        var body = SamplePayloads.Edit("merge_request_label_added.json", payload =>
        {
            var labels = payload["changes"]!["labels"]!.AsObject();
            var previous = labels["previous"]!.DeepClone();
            labels["previous"] = labels["current"]!.DeepClone();
            labels["current"] = previous;
            payload["labels"] = previous.DeepClone();
        });

        var hook = GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>();

        hook.Labels.ShouldBe(["backend"]);
        hook.LabelsAdded.ShouldBeEmpty();
        hook.LabelsRemoved.ShouldBe(["merge-train"]);
    }

    [Test]
    public void Without_a_labels_change_an_opened_merge_requests_labels_count_as_added()
    {
        var body = SamplePayloads.Edit("merge_request_open.json", payload =>
            payload["labels"] = new JsonArray(new JsonObject { ["id"] = 311, ["title"] = "merge-train" }));

        var hook = GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>();

        hook.LabelsAdded.ShouldBe(["merge-train"]);
    }

    [Test]
    public void Without_a_labels_change_an_update_adds_no_labels()
    {
        var body = SamplePayloads.Edit("merge_request_update_new_commits.json", payload =>
            payload["labels"] = new JsonArray(new JsonObject { ["id"] = 311, ["title"] = "merge-train" }));

        var hook = GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>();

        hook.Labels.ShouldBe(["merge-train"]);
        hook.LabelsAdded.ShouldBeEmpty();
    }

    [Test]
    public void Marking_draft_is_reported_with_the_draft_change()
    {
        var body = SamplePayloads.Edit("merge_request_update_new_commits.json", payload =>
        {
            payload["object_attributes"]!["draft"] = true;
            payload["object_attributes"]!["work_in_progress"] = true;
            payload["changes"]!["draft"] = new JsonObject { ["previous"] = false, ["current"] = true };
        });

        var hook = GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>();

        hook.Draft.ShouldBeTrue();
        hook.DraftChanged.ShouldBe(new DraftChange(false, true));
    }

    [Test]
    public void Older_gitlabs_work_in_progress_flag_counts_as_draft()
    {
        var body = SamplePayloads.Edit("merge_request_open.json", payload =>
        {
            payload["object_attributes"]!.AsObject().Remove("draft");
            payload["object_attributes"]!["work_in_progress"] = true;
        });

        GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>().Draft.ShouldBeTrue();
    }

    [Test]
    public void A_merged_merge_request_carries_its_merge_commit()
    {
        var body = SamplePayloads.Edit("merge_request_label_added.json", payload =>
        {
            payload["object_attributes"]!["action"] = "merge";
            payload["object_attributes"]!["state"] = "merged";
            payload["object_attributes"]!["merge_commit_sha"] = "e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14";
            payload.Remove("changes");
        });

        var hook = GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>();

        hook.Action.ShouldBe("merge");
        hook.State.ShouldBe("merged");
        hook.MergeCommitSha.ShouldBe("e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14");
        hook.LabelsAdded.ShouldBeEmpty();
    }

    [Test]
    public void Fields_gitlab_adds_in_later_versions_are_ignored()
    {
        var body = SamplePayloads.Edit("merge_request_open.json", payload =>
        {
            payload["future_top_level"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
            payload["object_attributes"]!["approval_rules"] = new JsonArray(new JsonObject { ["name"] = "security" });
        });

        GitLabWebhookParser.Parse("Merge Request Hook", body).ShouldBeOfType<MergeRequestHookEvent>().Iid.ShouldBe(7);
    }
}
