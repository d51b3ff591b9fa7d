using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

/// <summary>
/// Payloads the fuzz suite found answered 500: valid JSON that the parser read with unchecked
/// casts, or that PostgreSQL's jsonb refused on insert. Each is now a <see cref="WebhookParseException"/> (400).
/// </summary>
[TestFixture]
public sealed class HostileWebhookTests
{
    [TestCase("5")]
    [TestCase("null")]
    [TestCase("[1]")]
    [TestCase("true")]
    public void A_label_that_is_neither_an_object_nor_a_string_is_refused_naming_its_place(string label)
    {
        var body = SamplePayloads.Edit("merge_request_label_added.json", payload => payload["labels"]![0] = JsonNode.Parse(label));

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", body));

        error.Message.ShouldStartWith("Merge Request Hook: labels[0] should be an object but is");
    }

    [Test]
    public void A_changed_label_of_the_wrong_type_is_refused_too()
    {
        var body = SamplePayloads.Edit("merge_request_label_added.json", payload => payload["changes"]!["labels"]!["current"]![0] = 42);

        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", body))
            .Message.ShouldContain("changes.labels.current[0] should be an object but is number");
    }

    [TestCase("\\u0000")]
    [TestCase("main\\u0000")]
    [TestCase("\\ud800")]
    [TestCase("x\\udc00y")]
    public void A_nul_or_an_unpaired_surrogate_anywhere_is_refused_even_in_a_field_mergetrain_ignores(string escaped)
    {
        var body = SamplePayloads.Read("push_target.json").Replace("\"widgets\"", $"\"{escaped}\"", StringComparison.Ordinal);
        body.ShouldContain(escaped, Case.Sensitive, "the sample still has the field this test edits");

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Push Hook", body));

        error.Message.ShouldContain("project.name holds a NUL character or an unpaired UTF-16 surrogate");
    }

    [Test]
    public void A_field_name_with_an_unpaired_surrogate_is_refused()
    {
        var body = "{\"\\ud800\": 1, " + SamplePayloads.Read("push_target.json").TrimStart()[1..];

        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Push Hook", body)).Message.ShouldContain("a field name in the body");
    }

    [Test]
    public void An_ignored_event_with_a_nul_is_refused_as_it_would_be_stored_too()
    {
        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Job Hook", """{"object_kind":"build","name":"a\u0000b"}"""));
    }

    [Test]
    public void A_paired_surrogate_and_other_unusual_text_are_still_accepted()
    {
        var body = SamplePayloads.Edit("push_target.json", payload => payload["project"]!["name"] = "\ud83d\ude82 <b>ǅ</b> \u202e \uffff");

        GitLabWebhookParser.Parse("Push Hook", body).ShouldBeOfType<PushHookEvent>();
    }
}
