using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

/// <summary>
/// Clone, fetch and push against a remote, once over a file path and once over the network
/// through a real <c>git daemon</c> on loopback.
/// </summary>
[TestFixture("path")]
[TestFixture("git-daemon")]
public class RemoteTransferTests(string transport)
{
    private static readonly string[] ServiceRefspecs =
    [
        "+refs/heads/*:refs/heads/*",
        "+refs/merge-requests/*/head:refs/merge-requests/*/head",
    ];

    private const string CarRef = "refs/merge-requests/1/merge";

    private TempDirectory _temp = null!;
    private ServedRemote _remote = null!;
    private string _remotePath = null!;
    private string _remoteUrl = null!;
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _remote = ServedRemote.Start(_temp, transport, BareRepositoryTests.Files(("README", "hello\n")));
        (_remotePath, _remoteUrl, _root) = (_remote.Path, _remote.Url, _remote.Root);
        _remote.SetReference("refs/merge-requests/1/head", CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("feature.txt", "f\n"))));
    }

    [TearDown]
    public void TearDown()
    {
        _remote.Dispose();
        _temp.Dispose();
    }

    [Test]
    public void Clone_makes_a_bare_copy_of_the_remote_branches()
    {
        using var clone = BareRepository.Clone(_remoteUrl, _temp.Combine("clone.git"));

        clone.ResolveReference("refs/heads/main").ShouldBe(_root);
        GitCli.Run(clone.Path, "rev-parse", "--is-bare-repository").ShouldBe("true");
    }

    [Test]
    public void Fetch_brings_new_branch_heads_and_merge_request_heads()
    {
        using var local = BareRepository.OpenOrInit(_temp.Combine("local.git"));
        local.Fetch(_remoteUrl, ServiceRefspecs);
        local.ResolveReference("refs/heads/main").ShouldBe(_root);

        var advanced = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("lint.rules", "no-tabs\n")));
        GitCli.Run(_remotePath, "update-ref", "refs/heads/main", advanced);
        var mrHead = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("mr2.txt", "2\n")));
        GitCli.Run(_remotePath, "update-ref", "refs/merge-requests/2/head", mrHead);

        local.Fetch(_remoteUrl, ServiceRefspecs);

        local.ResolveReference("refs/heads/main").ShouldBe(advanced);
        local.ResolveReference("refs/merge-requests/2/head").ShouldBe(mrHead);
        local.ListReferences("refs/merge-requests/").ShouldBe(["refs/merge-requests/1/head", "refs/merge-requests/2/head"]);
    }

    [Test]
    public void Push_publishes_a_branch_then_fast_forwards_and_force_updates_it()
    {
        using var local = BareRepository.OpenOrInit(_temp.Combine("local.git"));
        local.Fetch(_remoteUrl, ServiceRefspecs);
        var car = CommitWriter.Commit(local.Path, _root, BareRepositoryTests.Files(("car.txt", "1\n")));

        // The service pushes its /merge refs, so the test does too.
        local.SetReference(CarRef, car);
        local.Push(_remoteUrl, [$"{CarRef}:refs/heads/merge-train/main/1"]).Succeeded.ShouldBeTrue();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merge-train/main/1").ShouldBe(car);

        var next = CommitWriter.Commit(local.Path, car, BareRepositoryTests.Files(("car.txt", "2\n")));
        local.SetReference(CarRef, next);
        local.Push(_remoteUrl, [$"{CarRef}:refs/heads/merge-train/main/1"]).Succeeded.ShouldBeTrue();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merge-train/main/1").ShouldBe(next);

        var rebuilt = CommitWriter.Commit(local.Path, _root, BareRepositoryTests.Files(("car.txt", "rebuilt\n")));
        local.SetReference(CarRef, rebuilt);
        local.Push(_remoteUrl, [$"+{CarRef}:refs/heads/merge-train/main/1"]).Succeeded.ShouldBeTrue();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merge-train/main/1").ShouldBe(rebuilt);

        local.Push(_remoteUrl, [":refs/heads/merge-train/main/1"]).Succeeded.ShouldBeTrue();
        GitCli.TryRun(_remotePath, "rev-parse", "--verify", "refs/heads/merge-train/main/1").ExitCode.ShouldNotBe(0);
    }

    [Test]
    public void A_push_that_is_not_a_fast_forward_is_rejected_and_the_remote_is_unchanged()
    {
        using var local = BareRepository.OpenOrInit(_temp.Combine("local.git"));
        local.Fetch(_remoteUrl, ServiceRefspecs);
        var sideways = CommitWriter.Commit(local.Path, null, BareRepositoryTests.Files(("other.txt", "x\n")));

        local.SetReference(CarRef, sideways);
        var result = local.Push(_remoteUrl, [$"{CarRef}:refs/heads/main"]);

        result.Succeeded.ShouldBeFalse();
        result.Rejected.ShouldHaveSingleItem().Reference.ShouldBe("refs/heads/main");
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/main").ShouldBe(_root);
    }

    [Test]
    public void A_push_based_on_a_stale_view_of_a_moved_target_is_rejected()
    {
        using var local = BareRepository.OpenOrInit(_temp.Combine("local.git"));
        local.Fetch(_remoteUrl, ServiceRefspecs);
        var tested = CommitWriter.Commit(local.Path, _root, BareRepositoryTests.Files(("tested.txt", "t\n")));
        var movedElsewhere = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("hotfix.txt", "h\n")));
        GitCli.Run(_remotePath, "update-ref", "refs/heads/main", movedElsewhere);

        local.SetReference(CarRef, tested);
        var result = local.Push(_remoteUrl, [$"{CarRef}:refs/heads/main"]);

        result.Succeeded.ShouldBeFalse();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/main").ShouldBe(movedElsewhere);
    }

    [Test]
    public void An_unreachable_remote_throws_instead_of_reporting_a_rejection()
    {
        using var local = BareRepository.OpenOrInit(_temp.Combine("local.git"));
        var missing = transport == "git-daemon" ? _remoteUrl.Replace("project.git", "missing.git", StringComparison.Ordinal) : _temp.Combine("missing.git");

        Should.Throw<GitRemoteException>(() => local.Fetch(missing, ServiceRefspecs)).ShouldNotBeOfType<GitAuthenticationException>();
    }
}
