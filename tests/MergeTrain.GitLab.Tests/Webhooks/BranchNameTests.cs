using System.Text.Json.Nodes;
using MergeTrain.GitLab.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Webhooks;

public class BranchNameTests
{
    [TestCase("main")]
    [TestCase("feature/login-page")]
    [TestCase("release-1.2")]
    [TestCase("x\"<b>bold<i")]
    [TestCase("ünïcode/分支")]
    public void Names_git_accepts_pass(string name) => GitRefName.Problem(name).ShouldBeNull();

    [TestCase("")]
    [TestCase("@")]
    [TestCase("../x")]
    [TestCase("a..b")]
    [TestCase("with space")]
    [TestCase("tab\there")]
    [TestCase("nul\0byte")]
    [TestCase("colon:name")]
    [TestCase("star*")]
    [TestCase("back\\slash")]
    [TestCase("-leading-dash")]
    [TestCase("/leading-slash")]
    [TestCase("trailing/")]
    [TestCase("trailing.")]
    [TestCase("double//slash")]
    [TestCase("at@{brace")]
    [TestCase(".hidden/part")]
    [TestCase("part/.hidden")]
    [TestCase("name.lock")]
    public void Names_git_refuses_are_refused_with_a_reason(string name) => GitRefName.Problem(name).ShouldNotBeNull();

    [Test]
    public void A_lone_surrogate_is_refused()
    {
        // Built at run time: attribute arguments are stored as UTF-8, which cannot hold one.
        GitRefName.Problem("lone" + (char)0xD800 + "surrogate").ShouldBe("it is not valid Unicode");
        GitRefName.Problem("tail" + (char)0xDC00).ShouldBe("it is not valid Unicode");
    }

    [Test]
    public void A_merge_request_hook_naming_a_branch_git_refuses_is_refused_naming_the_field()
    {
        var payload = JsonNode.Parse(SamplePayloads.Read("merge_request_label_added.json"))!;
        payload["object_attributes"]!["target_branch"] = "../x";

        var error = Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Merge Request Hook", payload.ToJsonString()));

        error.Message.ShouldContain("target_branch");
        error.Message.ShouldContain("is not a name git accepts");
    }

    [Test]
    public void A_push_to_a_ref_git_refuses_is_refused()
    {
        var payload = JsonNode.Parse(SamplePayloads.Read("push_target.json"))!;
        payload["ref"] = "refs/heads/with space";

        Should.Throw<WebhookParseException>(() => GitLabWebhookParser.Parse("Push Hook", payload.ToJsonString())).Message.ShouldContain("ref");
    }
}
