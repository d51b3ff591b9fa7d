using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

[TestFixture]
public sealed class InvalidWebhookTests
{
    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void A_delivery_without_an_event_header_is_refused(string? header)
    {
        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse(header, SamplePayloads.Read("push_target.json")));

        error.Message.ShouldContain("X-Gitlab-Event header is missing");
    }

    [Test]
    public void An_unknown_event_kind_is_refused_naming_the_kinds_understood()
    {
        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Bogus Hook", "{}"));

        error.Message.ShouldContain("Unknown X-Gitlab-Event 'Bogus Hook'");
        error.Message.ShouldContain("'Merge Request Hook'");
        error.Message.ShouldContain("'Push Hook'");
    }

    [Test]
    public void Other_documented_gitlab_events_are_ignored_so_gitlab_does_not_disable_the_hook()
    {
        var ignored = GitLabWebhookParser.Parse("Job Hook", """{"object_kind":"build","project_id":42,"build_id":7720031}""")
            .ShouldBeOfType<IgnoredWebhookEvent>();

        ignored.EventName.ShouldBe("Job Hook");
        ignored.ProjectId.ShouldBe(42);
    }

    [Test]
    public void The_event_header_is_matched_regardless_of_case_and_surrounding_space()
    {
        GitLabWebhookParser.Parse("  push hook ", SamplePayloads.Read("push_target.json")).ShouldBeOfType<PushHookEvent>().EventName.ShouldBe("Push Hook");
    }

    [TestCase("{\"object_kind\": \"push\",")]
    [TestCase("not json at all")]
    [TestCase("")]
    public void A_body_that_is_not_json_is_refused(string body)
    {
        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Push Hook", body));

        error.Message.ShouldStartWith("Push Hook: the body is not valid JSON");
    }

    [Test]
    public void Malformed_json_is_refused_even_for_an_event_kind_that_would_be_ignored()
    {
        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Tag Push Hook", "{oops"));
    }

    [TestCase("[]", "array")]
    [TestCase("42", "number")]
    [TestCase("null", "null")]
    public void A_body_that_is_not_an_object_is_refused(string body, string kind)
    {
        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Pipeline Hook", body));

        error.Message.ShouldBe($"Pipeline Hook: the body should be a JSON object but is {kind}.");
    }

    [TestCase("merge_request_open.json", "Merge Request Hook", "object_attributes", "iid")]
    [TestCase("merge_request_open.json", "Merge Request Hook", "object_attributes", "target_branch")]
    [TestCase("merge_request_open.json", "Merge Request Hook", "object_attributes", "last_commit")]
    [TestCase("merge_request_open.json", "Merge Request Hook", "user", "username")]
    [TestCase("merge_request_open.json", "Merge Request Hook", "project", "path_with_namespace")]
    [TestCase("note_merge_train.json", "Note Hook", "object_attributes", "note")]
    [TestCase("note_merge_train.json", "Note Hook", "merge_request", "iid")]
    [TestCase("pipeline_success.json", "Pipeline Hook", "object_attributes", "status")]
    [TestCase("pipeline_success.json", "Pipeline Hook", "object_attributes", "sha")]
    public void A_missing_field_is_refused_with_its_path(string sample, string eventName, string parent, string field)
    {
        var body = SamplePayloads.Edit(sample, payload => payload[parent]!.AsObject().Remove(field));

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse(eventName, body));

        error.Message.ShouldBe($"{eventName}: {parent}.{field} is missing.");
    }

    [TestCase("object_attributes")]
    [TestCase("project")]
    [TestCase("user")]
    public void A_missing_section_is_refused_with_its_name(string section)
    {
        var body = SamplePayloads.Edit("merge_request_open.json", payload => payload.Remove(section));

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", body));

        error.Message.ShouldBe($"Merge Request Hook: {section} is missing.");
    }

    [TestCase("ref")]
    [TestCase("after")]
    [TestCase("user_username")]
    public void A_push_without_a_needed_field_is_refused(string field)
    {
        var body = SamplePayloads.Edit("push_target.json", payload => payload.Remove(field));

        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Push Hook", body)).Message.ShouldBe($"Push Hook: {field} is missing.");
    }

    [Test]
    public void A_mistyped_field_is_refused_saying_what_was_expected()
    {
        var body = SamplePayloads.Edit("merge_request_open.json", payload => payload["object_attributes"]!["iid"] = "seven");

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", body));

        error.Message.ShouldBe("Merge Request Hook: object_attributes.iid should be an integer but is string.");
    }

    [Test]
    public void A_label_without_a_title_is_refused_with_its_index()
    {
        var body = SamplePayloads.Edit("merge_request_label_added.json", payload =>
            payload["changes"]!["labels"]!["current"]!.AsArray().Add(new JsonObject { ["id"] = 9 }));

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", body));

        error.Message.ShouldBe("Merge Request Hook: changes.labels.current[2].title is missing.");
    }

    [Test]
    public void A_timestamp_gitlab_would_not_write_is_refused()
    {
        var body = SamplePayloads.Edit("pipeline_success.json", payload => payload["object_attributes"]!["finished_at"] = "yesterday");

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Pipeline Hook", body));

        error.Message.ShouldBe("Pipeline Hook: object_attributes.finished_at is not a timestamp: 'yesterday'.");
    }

    [Test]
    public void A_body_of_another_kind_than_the_header_says_is_refused()
    {
        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", SamplePayloads.Read("push_target.json")));

        error.Message.ShouldBe("Merge Request Hook: the body's object_kind is 'push', not 'merge_request'.");
    }
}
