using LibGit2Sharp;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests.Corpus;

/// <summary>
/// The cases the fast path's remaining guards exist for, each needing a repository of its own
/// (configuration, <c>info/attributes</c>, history shape): the builder must still give git's result.
/// </summary>
public class MergeGuardTests
{
    private static readonly string[] Lines = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    [Test]
    public void A_merge_driver_in_info_attributes_applies_to_the_fast_paths_file_merges_as_it_does_in_git()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        Directory.CreateDirectory(Path.Combine(corpus.Path, "info"));
        File.WriteAllText(Path.Combine(corpus.Path, "info", "attributes"), "*.txt merge=union\n");

        // The tree's own .gitattributes says binary, which git ignores in a bare repository.
        var @base = new Snapshot { [".gitattributes"] = FileSpec.Text(["* merge=binary"]), ["a.txt"] = FileSpec.Text(Lines) };
        var (ours, theirs) = (@base.Clone(), @base.Clone());
        ours["a.txt"] = FileSpec.Text(Lines.Select(l => l == "three" ? "three by ours" : l));
        theirs["a.txt"] = FileSpec.Text(Lines.Select(l => l == "three" ? "three by theirs" : l));

        var outcome = corpus.MergeAgreesWithGit(@base, ours, theirs);

        // Only the union driver makes this same-line edit clean.
        outcome.ShouldBeOfType<MergeOutcome.Merged>().Route.ShouldBe(MergeRoute.TreeFastPathWithFileMerges);
    }

    [Test]
    public void Renormalizing_with_a_top_level_gitattributes_is_left_to_git()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        corpus.Repository.Config.Set("merge.renormalize", true, ConfigurationLevel.Local);

        // ours also converts the file to LF, which only renormalization makes a clean merge.
        var crlf = new FileSpec(System.Text.Encoding.UTF8.GetBytes(string.Concat(Lines.Select(l => l + "\r\n"))), Mode.NonExecutableFile);
        var @base = new Snapshot { [".gitattributes"] = FileSpec.Text(["* text=auto"]), ["a.txt"] = crlf };
        var (ours, theirs) = (@base.Clone(), @base.Clone());
        ours["a.txt"] = FileSpec.Text(Lines.Select(l => l == "two" ? "two by ours" : l));
        theirs["a.txt"] = new FileSpec(System.Text.Encoding.UTF8.GetBytes(string.Concat(Lines.Select(l => (l == "nine" ? "nine by theirs" : l) + "\r\n"))), Mode.NonExecutableFile);

        var baseSha = corpus.Commit(@base, []);
        var (oursSha, theirsSha) = (corpus.Commit(ours, [baseSha]), corpus.Commit(theirs, [baseSha]));

        // git 2.39 cannot renormalize in a bare repository ("BUG: non-INDEX attr direction in a
        // bare repo", exit 134); then the builder must fail as git does, not merge on its own.
        var git = GitCli.TryRun(corpus.Path, "merge-tree", "--write-tree", oursSha, theirsSha);
        if (git.ExitCode is not (0 or 1))
        {
            Should.Throw<InvalidOperationException>(() => corpus.MergeAgreesWithGit(oursSha, theirsSha)).Message.ShouldContain("exited " + git.ExitCode);
            return;
        }

        corpus.MergeAgreesWithGit(oursSha, theirsSha).FastPathExit.ShouldBe(FastPathExit.Renormalize);
    }

    [Test]
    public void A_criss_cross_history_is_left_to_git()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        var @base = new Snapshot { ["a.txt"] = FileSpec.Text(Lines), ["b.txt"] = FileSpec.Text(Lines) };
        var left = @base.Clone();
        left["a.txt"] = FileSpec.Text(Lines.Select(l => l == "one" ? "one on the left" : l));
        var right = @base.Clone();
        right["b.txt"] = FileSpec.Text(Lines.Select(l => l == "one" ? "one on the right" : l));
        var both = left.Clone();
        both["b.txt"] = right["b.txt"];
        var ours = both.Clone();
        ours["a.txt"] = FileSpec.Text(left["a.txt"].Lines.Select(l => l == "ten" ? "ten by ours" : l));
        var theirs = both.Clone();
        theirs["b.txt"] = FileSpec.Text(right["b.txt"].Lines.Select(l => l == "five" ? "five by theirs" : l));

        // ours and theirs each merge left and right themselves, so both are merge bases.
        var baseSha = corpus.Commit(@base, []);
        var leftSha = corpus.Commit(left, [baseSha]);
        var rightSha = corpus.Commit(right, [baseSha]);
        var oursSha = corpus.Commit(ours, [leftSha, rightSha]);
        var theirsSha = corpus.Commit(theirs, [rightSha, leftSha]);

        var outcome = corpus.MergeAgreesWithGit(oursSha, theirsSha);

        outcome.FastPathExit.ShouldBe(FastPathExit.CrissCross);
    }

    [Test]
    public void A_directory_rename_that_moves_the_other_sides_addition_is_left_to_git()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        var @base = new Snapshot { ["src/keep.txt"] = FileSpec.Text(Lines) };
        foreach (var name in new[] { "a", "b", "c" })
        {
            @base[$"src/old/{name}.txt"] = FileSpec.Text(Lines.Select(l => $"{name} {l}"));
        }

        // ours renames src/old to src/new (src/old is gone), theirs adds a file to src/old.
        var ours = @base.Clone();
        foreach (var name in new[] { "a", "b", "c" })
        {
            ours.Rename($"src/old/{name}.txt", $"src/new/{name}.txt");
        }

        var theirs = @base.Clone();
        theirs["src/old/d.txt"] = FileSpec.Text(["added by theirs"]);
        var baseSha = corpus.Commit(@base, []);
        var (oursSha, theirsSha) = (corpus.Commit(ours, [baseSha]), corpus.Commit(theirs, [baseSha]));

        var outcome = corpus.MergeAgreesWithGit(oursSha, theirsSha);

        outcome.FastPathExit.ShouldBe(FastPathExit.DirectoryRename);

        // The case matters: git moved the addition along with the directory, which no walk of the
        // three trees would do.
        var tree = GitCli.TryRun(corpus.Path, "merge-tree", "--write-tree", oursSha, theirsSha).Output.Split('\n')[0];
        GitCli.Run(corpus.Path, "ls-tree", "-r", "--name-only", tree).Split('\n').ShouldContain("src/new/d.txt");
    }

    [Test]
    public void Deletions_and_additions_beside_a_directory_rename_that_moves_nothing_stay_on_the_fast_path()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        var @base = new Snapshot
        {
            ["src/a.txt"] = FileSpec.Text(Lines.Select(l => "a " + l)),
            ["src/b.txt"] = FileSpec.Text(Lines.Select(l => "b " + l)),
            ["src/lib/x.txt"] = FileSpec.Text(Lines.Select(l => "x " + l)),
            ["src/lib/y.txt"] = FileSpec.Text(Lines.Select(l => "y " + l)),
            ["docs/readme.txt"] = FileSpec.Text(Lines),
        };

        // ours deletes a file in src and renames src/lib to src/lib2; theirs adds files in src
        // and in a new directory beside it, and edits a file both keep: nothing lands in src/lib.
        var ours = @base.Clone();
        ours.Remove("src/a.txt");
        ours.Rename("src/lib/x.txt", "src/lib2/x.txt");
        ours.Rename("src/lib/y.txt", "src/lib2/y.txt");
        var theirs = @base.Clone();
        theirs["src/c.txt"] = FileSpec.Text(["added by theirs"]);
        theirs["src/lib3/z.txt"] = FileSpec.Text(["added by theirs too"]);
        theirs["src/b.txt"] = FileSpec.Text(Lines.Select(l => l == "five" ? "b five by theirs" : "b " + l));

        var outcome = corpus.MergeAgreesWithGit(@base, ours, theirs);

        outcome.ShouldBeOfType<MergeOutcome.Merged>().Route.ShouldBe(MergeRoute.TreeFastPath);
    }

    [Test]
    public void A_directory_rename_with_an_edit_inside_it_on_the_other_side_is_left_to_git()
    {
        using var temp = new TempDirectory();
        using var corpus = new GuardRepository(temp);
        var @base = new Snapshot { ["lib/x.txt"] = FileSpec.Text(Lines.Select(l => "x " + l)), ["lib/y.txt"] = FileSpec.Text(Lines.Select(l => "y " + l)) };
        var ours = @base.Clone();
        ours.Rename("lib/x.txt", "core/x.txt");
        ours.Rename("lib/y.txt", "core/y.txt");
        var theirs = @base.Clone();
        theirs["lib/y.txt"] = FileSpec.Text(Lines.Select(l => l == "two" ? "y two by theirs" : "y " + l));

        var outcome = corpus.MergeAgreesWithGit(@base, ours, theirs);

        // git applies theirs' edit to core/y.txt; the builder gets there only through git.
        outcome.FastPathExit.ShouldBe(FastPathExit.DirectoryRename);
        outcome.ShouldBeOfType<MergeOutcome.Merged>().Route.ShouldBe(MergeRoute.GitMergeTree);
    }

    /// <summary>A bare repository of its own, the builder on it, and git as the oracle.</summary>
    private sealed class GuardRepository : IDisposable
    {
        private readonly ProjectRepository _builder;
        private int _iid;

        public GuardRepository(TempDirectory temp)
        {
            var settings = new ProjectRepositorySettings(temp.Path, 1, temp.Combine("unused-remote.git"));
            Repository = new Repository(Repository.Init(settings.RepositoryPath, isBare: true));
            Path = settings.RepositoryPath;
            _builder = ProjectRepository.Open(settings, new FixedTime());
        }

        public Repository Repository { get; }

        public string Path { get; }

        public string Commit(Snapshot snapshot, string[] parents) =>
            snapshot.Write(Repository, parents.Select(p => Repository.Lookup<Commit>(p)), "corpus");

        public MergeOutcome MergeAgreesWithGit(Snapshot @base, Snapshot ours, Snapshot theirs)
        {
            var baseSha = Commit(@base, []);
            return MergeAgreesWithGit(Commit(ours, [baseSha]), Commit(theirs, [baseSha]));
        }

        public MergeOutcome MergeAgreesWithGit(string ours, string theirs)
        {
            var git = GitCli.TryRun(Path, "merge-tree", "--write-tree", "-z", "--name-only", ours, theirs);
            var fields = git.Output.Split('\0');
            var outcome = _builder.BuildMergeRef(++_iid, ours, theirs, "Merge\n");
            switch (outcome)
            {
                case MergeOutcome.Merged merged:
                    git.ExitCode.ShouldBe(0, $"the builder merged cleanly, git did not: {git.Output}");
                    merged.TreeSha.ShouldBe(fields[0]);
                    break;
                case MergeOutcome.Conflicted conflicted:
                    git.ExitCode.ShouldBe(1, "the builder reported a conflict, git did not");
                    conflicted.Paths.ShouldBe(fields.Skip(1).TakeWhile(f => f.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList());
                    break;
            }

            return outcome;
        }

        public void Dispose()
        {
            _builder.Dispose();
            Repository.Dispose();
        }
    }
}
