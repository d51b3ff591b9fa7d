using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

public class BareRepositoryTests
{
    private static readonly GitIdentity Bot = new("Merge Bot", "bot@example.com");
    private static readonly DateTimeOffset When = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void OpenOrInit_creates_a_bare_repository_once_and_reopens_it()
    {
        var path = _temp.Combine("project.git");

        using (var created = BareRepository.OpenOrInit(path))
        {
            created.SetReference("refs/heads/main", CommitWriter.Commit(path, null, Files(("a.txt", "a"))));
        }

        using var reopened = BareRepository.OpenOrInit(path);
        GitCli.Run(path, "rev-parse", "--is-bare-repository").ShouldBe("true");
        reopened.ResolveReference("refs/heads/main").ShouldNotBeNull();
    }

    [Test]
    public void HasCommit_knows_the_commits_present_and_takes_only_full_hex_ids_never_revision_expressions()
    {
        var path = _temp.Combine("has.git");
        using var repository = BareRepository.OpenOrInit(path);
        var commit = CommitWriter.Commit(path, null, Files(("a.txt", "a")));
        repository.SetReference("refs/heads/main", commit);

        repository.HasCommit(commit).ShouldBeTrue();
        repository.HasCommit("b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09").ShouldBeFalse("a well-formed id of a commit that is not here");
        repository.HasCommit(commit[..12]).ShouldBeFalse("an abbreviation");
        repository.HasCommit("main").ShouldBeFalse("a branch name");
        repository.HasCommit("HEAD~0").ShouldBeFalse("a revision expression");
        repository.HasCommit(repository.TreeOf(commit)).ShouldBeFalse("a tree, not a commit");
        repository.HasCommit("z" + commit[1..]).ShouldBeFalse("not hex");
    }

    [Test]
    public void Objects_written_through_libgit2_are_read_back_identically_by_git()
    {
        var path = _temp.Combine("objects.git");
        using var repository = BareRepository.OpenOrInit(path);

        var first = CommitWriter.Commit(path, null, Files(("dir/nested/a.txt", "alpha\n"), ("b.txt", "beta\n")), "first");
        var second = CommitWriter.Commit(path, first, Files(("b.txt", null), ("c.txt", "gamma\n")), "second");

        GitCli.Run(path, "fsck", "--strict", "--no-dangling").ShouldBeEmpty();
        GitCli.Run(path, "show", $"{second}:dir/nested/a.txt").ShouldBe("alpha");
        GitCli.Run(path, "ls-tree", "-r", "--name-only", second).Split('\n').ShouldBe(["c.txt", "dir/nested/a.txt"]);
        GitCli.Run(path, "log", "--format=%s", second).Split('\n').ShouldBe(["second", "first"]);
        repository.ParentsOf(second).ShouldBe([first]);
        repository.TreeOf(second).ShouldBe(GitCli.Run(path, "rev-parse", $"{second}^{{tree}}"));
    }

    [Test]
    public void A_file_merge_on_the_fast_path_adds_only_the_merged_blob_tree_and_commit_to_the_repository()
    {
        var path = _temp.Combine("scratch.git");
        using var repository = BareRepository.OpenOrInit(path);
        var root = CommitWriter.Commit(path, null, Files(("shared.txt", "1\n2\n3\n4\n5\n6\n7\n"), ("keep.txt", "k")));
        var ours = CommitWriter.Commit(path, root, Files(("shared.txt", "ONE\n2\n3\n4\n5\n6\n7\n"), ("keep.txt", "k")));
        var theirs = CommitWriter.Commit(path, root, Files(("shared.txt", "1\n2\n3\n4\n5\n6\nSEVEN\n"), ("keep.txt", "k")));
        var before = LooseObjects(path);

        var merged = repository.Merge(ours, theirs, "Merge\n", Bot, When).ShouldBeOfType<MergeOutcome.Merged>();

        // The synthetic commits and trees handed to git stay in the scratch object directory.
        merged.Route.ShouldBe(MergeRoute.TreeFastPathWithFileMerges);
        var blob = GitCli.Run(path, "rev-parse", $"{merged.CommitSha}:shared.txt");
        LooseObjects(path).Except(before).Order().ShouldBe(new[] { blob, merged.TreeSha, merged.CommitSha }.Order());
        GitCli.Run(path, "show", $"{merged.CommitSha}:shared.txt").ShouldBe("ONE\n2\n3\n4\n5\n6\nSEVEN");
        GitCli.Run(path, "fsck", "--strict", "--no-dangling").ShouldBeEmpty();
    }

    [Test]
    public void A_clean_merge_writes_a_merge_commit_whose_tree_is_the_one_git_computes()
    {
        var path = _temp.Combine("merge.git");
        using var repository = BareRepository.OpenOrInit(path);
        var root = CommitWriter.Commit(path, null, Files(("shared.txt", "1\n2\n3\n4\n5\n6\n7\n"), ("keep.txt", "k")));
        var ours = CommitWriter.Commit(path, root, Files(("shared.txt", "ONE\n2\n3\n4\n5\n6\n7\n"), ("ours.txt", "o")));
        var theirs = CommitWriter.Commit(path, root, Files(("shared.txt", "1\n2\n3\n4\n5\n6\nSEVEN\n"), ("keep.txt", null)));
        const string message = "Merge branch 'feature' into 'main'\n\nAdd a feature\n\nSee merge request group/project!7";

        var outcome = repository.Merge(ours, theirs, message, Bot, When);

        var merged = outcome.ShouldBeOfType<MergeOutcome.Merged>();
        merged.TreeSha.ShouldBe(GitCli.Run(path, "merge-tree", "--write-tree", ours, theirs));
        repository.ParentsOf(merged.CommitSha).ShouldBe([ours, theirs]);
        repository.MessageOf(merged.CommitSha).ShouldBe(message);
        GitCli.Run(path, "show", $"{merged.CommitSha}:shared.txt").ShouldBe("ONE\n2\n3\n4\n5\n6\nSEVEN");
        GitCli.Run(path, "log", "-1", "--format=%an <%ae> %cn %ct", merged.CommitSha)
            .ShouldBe($"Merge Bot <bot@example.com> Merge Bot {When.ToUnixTimeSeconds()}");

        // Written byte for byte as git commit-tree writes it, and valid to git's strictest check.
        GitCli.Run(path, "cat-file", "commit", merged.CommitSha).ShouldBe(
            $"tree {merged.TreeSha}\nparent {ours}\nparent {theirs}\n"
            + $"author Merge Bot <bot@example.com> {When.ToUnixTimeSeconds()} +0000\ncommitter Merge Bot <bot@example.com> {When.ToUnixTimeSeconds()} +0000\n\n{message}");
        GitCli.Run(path, "fsck", "--strict", "--no-dangling").ShouldBeEmpty();
    }

    [Test]
    public void A_merge_commit_keeps_a_committer_time_zone_west_of_utc()
    {
        var path = _temp.Combine("zone.git");
        using var repository = BareRepository.OpenOrInit(path);
        var root = CommitWriter.Commit(path, null, Files(("a.txt", "a")));
        var ours = CommitWriter.Commit(path, root, Files(("b.txt", "b")));
        var theirs = CommitWriter.Commit(path, root, Files(("c.txt", "c")));
        var when = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.FromMinutes(-(3 * 60 + 30)));

        var merged = repository.Merge(ours, theirs, "Merge\n", Bot, when).ShouldBeOfType<MergeOutcome.Merged>();

        GitCli.Run(path, "log", "-1", "--format=%ci", merged.CommitSha).ShouldBe("2026-11-23 10:00:00 -0330");
    }

    [Test]
    public void A_conflicting_merge_reports_the_paths_git_reports_and_moves_no_reference()
    {
        var path = _temp.Combine("conflict.git");
        using var repository = BareRepository.OpenOrInit(path);
        var root = CommitWriter.Commit(path, null, Files(("a.txt", "base\n"), ("z/b.txt", "base\n"), ("c.txt", "same\n")));
        var ours = CommitWriter.Commit(path, root, Files(("a.txt", "ours\n"), ("z/b.txt", null)));
        var theirs = CommitWriter.Commit(path, root, Files(("a.txt", "theirs\n"), ("z/b.txt", "theirs\n")));

        var outcome = repository.Merge(ours, theirs, "merge", Bot, When);

        outcome.ShouldBeOfType<MergeOutcome.Conflicted>().Paths.ShouldBe(["a.txt", "z/b.txt"]);
        var git = GitCli.TryRun(path, "merge-tree", "--write-tree", "--name-only", ours, theirs);
        git.ExitCode.ShouldBe(1, "git agrees that the merge conflicts");
        git.Output.ShouldContain("a.txt");
        git.Output.ShouldContain("z/b.txt");
        repository.ListReferences("refs/").ShouldBeEmpty();
    }

    [Test]
    public void References_are_created_moved_listed_and_deleted()
    {
        var path = _temp.Combine("refs.git");
        using var repository = BareRepository.OpenOrInit(path);
        var first = CommitWriter.Commit(path, null, Files(("a", "1")));
        var second = CommitWriter.Commit(path, first, Files(("a", "2")));

        repository.SetReference("refs/merge-requests/3/merge", first);
        repository.SetReference("refs/merge-requests/4/merge", first);
        repository.SetReference("refs/merge-requests/3/merge", second);

        repository.ResolveReference("refs/merge-requests/3/merge").ShouldBe(second);
        GitCli.Run(path, "rev-parse", "refs/merge-requests/3/merge").ShouldBe(second);
        repository.ListReferences("refs/merge-requests/").ShouldBe(["refs/merge-requests/3/merge", "refs/merge-requests/4/merge"]);

        repository.DeleteReference("refs/merge-requests/3/merge");
        repository.DeleteReference("refs/merge-requests/3/merge");
        repository.ResolveReference("refs/merge-requests/3/merge").ShouldBeNull();
        repository.ListReferences("refs/merge-requests/").ShouldBe(["refs/merge-requests/4/merge"]);
    }

    [Test]
    public void Merging_an_unknown_commit_fails_with_a_clear_message()
    {
        var path = _temp.Combine("unknown.git");
        using var repository = BareRepository.OpenOrInit(path);
        var root = CommitWriter.Commit(path, null, Files(("a", "1")));

        Should.Throw<InvalidOperationException>(() => repository.Merge(root, new string('e', 40), "m", Bot, When))
            .Message.ShouldContain(new string('e', 40));
    }

    private static List<string> LooseObjects(string path) =>
        Directory.GetDirectories(Path.Combine(path, "objects"), "??")
            .SelectMany(directory => Directory.GetFiles(directory).Select(file => Path.GetFileName(directory) + Path.GetFileName(file)))
            .ToList();

    internal static Dictionary<string, string?> Files(params (string Path, string? Content)[] files) =>
        files.ToDictionary(f => f.Path, f => f.Content);
}
