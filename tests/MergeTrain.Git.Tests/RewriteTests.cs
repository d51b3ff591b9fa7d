using NUnit.Framework;
using Shouldly;
using static MergeTrain.Git.Tests.BareRepositoryTests;

namespace MergeTrain.Git.Tests;

/// <summary>Rebase and squash as GitLab's merge methods need them, with git itself as the oracle.</summary>
public class RewriteTests
{
    private static readonly GitIdentity Bot = new("Merge Bot", "bot@example.com");
    private static readonly DateTimeOffset When = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private TempDirectory _temp = null!;
    private string _path = null!;
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _path = _temp.Combine("project.git");
        BareRepository.OpenOrInit(_path).Dispose();
        _root = CommitWriter.Commit(_path, null, Files(("a.txt", "one\ntwo\nthree\nfour\nfive\n"), ("b.txt", "b\n")), "root");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void Rebase_replays_each_commit_as_git_rebase_does_keeping_authors_and_messages()
    {
        var target = CommitWriter.Commit(_path, _root, Files(("a.txt", "one\ntwo\nthree\nfour\nFIVE\n"), ("c.txt", "c\n")), "target moved");
        var first = CommitWriter.Commit(_path, _root, Files(("a.txt", "ONE\ntwo\nthree\nfour\nfive\n")), "first\n\nbody\n");
        var second = CommitWriter.Commit(_path, first, Files(("d.txt", "d\n"), ("b.txt", null)), "second");
        using var repository = BareRepository.OpenOrInit(_path);

        var outcome = repository.Rebase(target, target, second, Bot, When).ShouldBeOfType<RewriteOutcome.Rewritten>();

        outcome.Replayed.ShouldBe(2);
        var expected = GitRebase(second, target);
        Log(outcome.HeadSha).ShouldBe(Log(expected));
        GitCli.Run(_path, "log", "-1", "--format=%an <%ae>|%cn <%ce>", outcome.HeadSha).ShouldBe("Test <test@example.com>|Merge Bot <bot@example.com>");
        repository.MessageOf(repository.ParentsOf(outcome.HeadSha)[0]).ShouldBe("first\n\nbody\n");
        repository.ParentsOf(repository.ParentsOf(outcome.HeadSha)[0]).ShouldBe([target]);
        GitCli.Run(_path, "fsck", "--strict", "--no-dangling", "--connectivity-only").ShouldBeEmpty();
    }

    [Test]
    public void A_branch_already_on_the_base_is_left_as_it_is()
    {
        var head = CommitWriter.Commit(_path, _root, Files(("d.txt", "d\n")), "on top");
        using var repository = BareRepository.OpenOrInit(_path);

        repository.Rebase(_root, _root, head, Bot, When).ShouldBe(new RewriteOutcome.Rewritten(head, 0));
    }

    [Test]
    public void A_conflicting_commit_is_named_with_the_paths_git_names()
    {
        var target = CommitWriter.Commit(_path, _root, Files(("a.txt", "uno\ntwo\nthree\nfour\nfive\n")), "target");
        var head = CommitWriter.Commit(_path, _root, Files(("a.txt", "ONE\ntwo\nthree\nfour\nfive\n")), "mine");
        using var repository = BareRepository.OpenOrInit(_path);

        var conflicted = repository.Rebase(target, target, head, Bot, When).ShouldBeOfType<RewriteOutcome.Conflicted>();

        conflicted.Paths.ShouldBe(["a.txt"]);
        conflicted.CommitSha.ShouldBe(head);
        GitRebaseFails(head, target).ShouldBeTrue();
    }

    [Test]
    public void Commits_already_upstream_and_merge_commits_are_left_out_as_git_rebase_leaves_them()
    {
        var change = Files(("a.txt", "ONE\ntwo\nthree\nfour\nfive\n"));
        var target = CommitWriter.Commit(_path, _root, change, "the same change, already on the target");
        var first = CommitWriter.Commit(_path, _root, change, "picked upstream");
        var second = CommitWriter.Commit(_path, first, Files(("d.txt", "d\n")), "second");
        var side = CommitWriter.Commit(_path, _root, Files(("e.txt", "e\n")), "side");
        using var repository = BareRepository.OpenOrInit(_path);
        var merge = ((MergeOutcome.Merged)repository.Merge(second, side, "Merge side", Bot, When)).CommitSha;
        var third = CommitWriter.Commit(_path, merge, Files(("f.txt", "f\n")), "third");

        var outcome = repository.Rebase(target, target, third, Bot, When).ShouldBeOfType<RewriteOutcome.Rewritten>();

        outcome.Replayed.ShouldBe(3);
        Log(outcome.HeadSha).ShouldBe(Log(GitRebase(third, target)));
    }

    [Test]
    public void Squash_is_one_commit_with_the_heads_tree_on_the_merge_base()
    {
        var target = CommitWriter.Commit(_path, _root, Files(("c.txt", "c\n")), "target");
        var first = CommitWriter.Commit(_path, _root, Files(("d.txt", "d\n")), "first");
        var second = CommitWriter.Commit(_path, first, Files(("a.txt", null)), "second");
        using var repository = BareRepository.OpenOrInit(_path);

        var squashed = repository.Squash(target, second, "Add d, drop a", Bot, When);

        repository.TreeOf(squashed).ShouldBe(repository.TreeOf(second));
        repository.ParentsOf(squashed).ShouldBe([_root]);
        repository.MessageOf(squashed).ShouldBe("Add d, drop a");
        GitCli.Run(_path, "log", "-1", "--format=%an|%cn", squashed).ShouldBe("Test|Merge Bot");
    }

    [Test]
    public void Each_merge_method_gives_the_history_gitlab_gives()
    {
        var target = CommitWriter.Commit(_path, _root, Files(("c.txt", "c\n")), "target");
        var first = CommitWriter.Commit(_path, _root, Files(("d.txt", "d\n")), "first");
        var head = CommitWriter.Commit(_path, first, Files(("e.txt", "e\n")), "second");
        using var repository = BareRepository.OpenOrInit(_path);
        MergeOutcome.Merged Build(bool rebase, bool mergeCommit, string? squash = null) =>
            repository.BuildCar(new CarRecipe(target, target, head, rebase, mergeCommit, "Merge branch 'x' into 'main'", squash), Bot, When).ShouldBeOfType<MergeOutcome.Merged>();

        // Merge commit: [target, head], the MR's commits as they are.
        var merge = Build(rebase: false, mergeCommit: true);
        repository.ParentsOf(merge.CommitSha).ShouldBe([target, head]);
        merge.RewrittenHeadSha.ShouldBeNull();

        // Semi-linear: the commits rebased onto the target, then a merge commit of them.
        var semiLinear = Build(rebase: true, mergeCommit: true);
        var rebased = semiLinear.RewrittenHeadSha.ShouldNotBeNull();
        repository.ParentsOf(semiLinear.CommitSha).ShouldBe([target, rebased]);
        repository.ParentsOf(repository.ParentsOf(rebased)[0]).ShouldBe([target]);
        repository.TreeOf(semiLinear.CommitSha).ShouldBe(repository.TreeOf(rebased));
        repository.TreeOf(semiLinear.CommitSha).ShouldBe(repository.TreeOf(merge.CommitSha));

        // Fast-forward: the rebased head is the car commit.
        var fastForward = Build(rebase: true, mergeCommit: false);
        fastForward.CommitSha.ShouldBe(fastForward.RewrittenHeadSha);
        GitCli.Run(_path, "rev-list", "--count", $"{target}..{fastForward.CommitSha}").ShouldBe("2");
        GitCli.Run(_path, "rev-list", "--merges", $"{target}..{fastForward.CommitSha}").ShouldBeEmpty();

        // Squash, then the method: one commit on the target (fast-forward), or merged as it is (merge commit).
        var squashed = Build(rebase: true, mergeCommit: false, squash: "Add d and e");
        repository.ParentsOf(squashed.CommitSha).ShouldBe([target]);
        repository.MessageOf(squashed.CommitSha).ShouldBe("Add d and e");
        repository.TreeOf(squashed.CommitSha).ShouldBe(repository.TreeOf(merge.CommitSha));
        var squashMerge = Build(rebase: false, mergeCommit: true, squash: "Add d and e");
        var squash = squashMerge.RewrittenHeadSha.ShouldNotBeNull();
        repository.ParentsOf(squashMerge.CommitSha).ShouldBe([target, squash]);
        repository.ParentsOf(squash).ShouldBe([_root]);
    }

    /// <summary>What each commit of a history holds: its tree, author and message, newest first.</summary>
    private string Log(string head) => GitCli.Run(_path, "log", "--format=%T %an %s", head);

    private string GitRebase(string head, string onto)
    {
        var work = _temp.Combine($"work-{Guid.NewGuid():N}");
        GitCli.Run(_path, "worktree", "add", "--detach", work, head);
        GitCli.Run(work, "rebase", onto);
        return GitCli.Run(work, "rev-parse", "HEAD");
    }

    private bool GitRebaseFails(string head, string onto)
    {
        var work = _temp.Combine($"work-{Guid.NewGuid():N}");
        GitCli.Run(_path, "worktree", "add", "--detach", work, head);
        return GitCli.TryRun(work, "rebase", onto).ExitCode != 0;
    }
}
