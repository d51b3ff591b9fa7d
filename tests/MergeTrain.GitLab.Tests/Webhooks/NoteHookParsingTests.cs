using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

[TestFixture]
public sealed class NoteHookParsingTests
{
    [Test]
    public void A_comment_on_a_merge_request_is_read_with_its_text_and_merge_request()
    {
        var hook = GitLabWebhookParser.Parse("Note Hook", SamplePayloads.Read("note_merge_train.json")).ShouldBeOfType<NoteHookEvent>();

        hook.EventName.ShouldBe("Note Hook");
        hook.ProjectId.ShouldBe(42);
        hook.Project.PathWithNamespace.ShouldBe("acme/widgets");
        hook.Actor.ShouldBe(new WebhookUser(5, "rmenon", "Ravi Menon"));
        hook.NoteId.ShouldBe(1204417);
        hook.Note.ShouldBe("/merge-train\nLooks good, sending it in.");
        hook.Url.ShouldBe("https://gitlab.example.com/acme/widgets/-/merge_requests/7#note_1204417");
        hook.CreatedAt.ShouldBe(new DateTimeOffset(2025, 3, 11, 13, 52, 40, TimeSpan.Zero));
        hook.MergeRequest.ShouldBe(new WebhookMergeRequest(
            90311,
            7,
            "Accept trailing commas in widget specs",
            "parser-trailing-commas",
            "main",
            "opened",
            "b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09",
            false,
            "https://gitlab.example.com/acme/widgets/-/merge_requests/7"));
    }

    [Test]
    public void An_internal_comment_is_read_like_any_other()
    {
        var hook = GitLabWebhookParser.Parse("Confidential Note Hook", SamplePayloads.Read("note_merge_train.json")).ShouldBeOfType<NoteHookEvent>();

        hook.EventName.ShouldBe("Confidential Note Hook");
        hook.MergeRequest.Iid.ShouldBe(7);
    }

    [TestCase("Issue")]
    [TestCase("Commit")]
    [TestCase("Snippet")]
    public void A_comment_elsewhere_is_ignored_not_refused(string noteableType)
    {
        var body = SamplePayloads.Edit("note_merge_train.json", payload =>
        {
            payload["object_attributes"]!["noteable_type"] = noteableType;
            payload.Remove("merge_request");
        });

        var ignored = GitLabWebhookParser.Parse("Note Hook", body).ShouldBeOfType<IgnoredWebhookEvent>();

        ignored.EventName.ShouldBe("Note Hook");
        ignored.ProjectId.ShouldBe(42);
        ignored.Reason.ShouldContain(noteableType);
    }
}
