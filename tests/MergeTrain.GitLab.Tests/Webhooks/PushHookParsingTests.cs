using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

[TestFixture]
public sealed class PushHookParsingTests
{
    [Test]
    public void A_push_to_the_target_branch_is_read_with_before_and_after()
    {
        var hook = GitLabWebhookParser.Parse("Push Hook", SamplePayloads.Read("push_target.json")).ShouldBeOfType<PushHookEvent>();

        hook.EventName.ShouldBe("Push Hook");
        hook.Project.ShouldBe(new WebhookProject(42, "acme/widgets", "https://gitlab.example.com/acme/widgets"));
        hook.Actor.ShouldBe(new WebhookUser(23, "lokafor", "Lena Okafor"));
        hook.Ref.ShouldBe("refs/heads/main");
        hook.Branch.ShouldBe("main");
        hook.Before.ShouldBe("9a0d5e3b7c41f28e6d9a0b3c5e7f1a2d4b6c8e01");
        hook.After.ShouldBe("c2d7e8f19a3b4c56d0e1f2a3b4c5d6e7f8091a2b");
        hook.CheckoutSha.ShouldBe("c2d7e8f19a3b4c56d0e1f2a3b4c5d6e7f8091a2b");
        hook.TotalCommitsCount.ShouldBe(1);
        hook.BranchCreated.ShouldBeFalse();
        hook.BranchDeleted.ShouldBeFalse();
    }

    [Test]
    public void A_deleted_branch_has_an_all_zero_after()
    {
        var body = SamplePayloads.Edit("push_target.json", payload =>
        {
            payload["ref"] = "refs/heads/merge-train/main/7";
            payload["after"] = PushHookEvent.NoCommit;
            payload["checkout_sha"] = null;
            payload["commits"] = new JsonArray();
            payload["total_commits_count"] = 0;
        });

        var hook = GitLabWebhookParser.Parse("Push Hook", body).ShouldBeOfType<PushHookEvent>();

        hook.Branch.ShouldBe("merge-train/main/7");
        hook.BranchDeleted.ShouldBeTrue();
        hook.CheckoutSha.ShouldBeNull();
    }

    [Test]
    public void The_project_id_of_a_push_may_come_from_project_id_alone()
    {
        var body = SamplePayloads.Edit("push_target.json", payload => payload["project"]!.AsObject().Remove("id"));

        GitLabWebhookParser.Parse("Push Hook", body).ShouldBeOfType<PushHookEvent>().ProjectId.ShouldBe(42);
    }
}
