using System.Diagnostics;
using LibGit2Sharp;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests.Corpus;

/// <summary>
/// Git is the oracle: hundreds of generated merges go through the builder's service entry point
/// (<see cref="ProjectRepository.BuildMergeRef(long, string, string, string)"/>) and through <c>git merge-tree --write-tree</c>;
/// every clean tree must be git's, and a conflict must be reported exactly when git reports one,
/// with git's paths.
/// </summary>
public class MergeCorpusTests
{
    private const int PerKind = 17;
    private const int ExtraRandomMixes = 40;

    private static readonly string[] KindsThatMustConflict =
    [
        "edit one file in the same place", "add/add with different contents", "modify/delete", "rename/delete",
        "rename/rename to different names", "file replaced by a directory, file edited",
        "file added on one side, directory of that name on the other", "binary file changed on both sides",
        "file turned into a symlink, edited on the other side",
    ];

    [Test]
    public void Every_generated_merge_equals_git_merge_tree_and_conflicts_exactly_when_git_does()
    {
        using var temp = new TempDirectory();
        var settings = new ProjectRepositorySettings(temp.Path, 1, temp.Combine("unused-remote.git"));
        using var builder = ProjectRepository.Open(settings, new FixedTime());
        using var repository = new Repository(Repository.Init(settings.RepositoryPath, isBare: true));
        var stats = new Dictionary<string, KindStats>(StringComparer.Ordinal);
        var failures = new List<string>();
        var iid = 0;
        var clock = Stopwatch.StartNew();

        for (var kind = 0; kind < ScenarioGenerator.Kinds.Count; kind++)
        {
            var (name, edit) = ScenarioGenerator.Kinds[kind];
            var wanted = PerKind + (name == "random mix" ? ExtraRandomMixes : 0);
            var kindStats = stats[name] = new KindStats();
            for (var seed = 0; kindStats.Merges < wanted; seed++)
            {
                seed.ShouldBeLessThan(wanted * 5, $"'{name}' cannot be generated");
                var generator = new ScenarioGenerator((kind * 10_000) + seed);
                var @base = generator.BaseTree();
                var (ours, theirs) = (@base.Clone(), @base.Clone());
                try
                {
                    edit(ours, theirs, generator);
                }
                catch (InvalidOperationException)
                {
                    continue; // this seed's base tree has no file the scenario needs
                }

                var baseSha = @base.Write(repository, [], "base");
                var oursSha = ours.Write(repository, [repository.Lookup<Commit>(baseSha)], "ours");
                var theirsSha = theirs.Write(repository, [repository.Lookup<Commit>(baseSha)], "theirs");
                var label = $"{name} #{seed}: git merge-tree {oursSha} {theirsSha}";
                kindStats.Merges++;

                var git = GitCli.TryRun(settings.RepositoryPath, "merge-tree", "--write-tree", "-z", "--name-only", oursSha, theirsSha);
                var fields = git.Output.Split('\0');
                var outcome = builder.BuildMergeRef(++iid, oursSha, theirsSha, $"Merge {label}\n");
                CountLibGit2(repository, oursSha, theirsSha, git.ExitCode, fields[0], kindStats);

                switch (outcome)
                {
                    case MergeOutcome.Merged merged when git.ExitCode == 0:
                        kindStats.Clean++;
                        kindStats.Routes[merged.Route] = kindStats.Routes.GetValueOrDefault(merged.Route) + 1;
                        if (merged.TreeSha != fields[0])
                        {
                            failures.Add($"{label}: tree {merged.TreeSha} via {merged.Route}, git {fields[0]}");
                        }

                        break;
                    case MergeOutcome.Conflicted conflicted when git.ExitCode == 1:
                        kindStats.Conflicts++;
                        var gitPaths = fields.Skip(1).TakeWhile(f => f.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
                        if (!conflicted.Paths.SequenceEqual(gitPaths))
                        {
                            failures.Add($"{label}: conflicts [{string.Join(", ", conflicted.Paths)}], git [{string.Join(", ", gitPaths)}]");
                        }

                        break;
                    default:
                        failures.Add($"{label}: builder {outcome.GetType().Name}, git exit {git.ExitCode} {git.Error}");
                        break;
                }
            }
        }

        var total = stats.Values.Sum(s => s.Merges);
        TestContext.Out.WriteLine($"{total} merges in {clock.Elapsed.TotalSeconds:F1} s");
        TestContext.Out.WriteLine($"{"kind",-56} {"merges",6} {"clean",5} {"confl",5} {"fast",5} {"fast+f",6} {"git",5} {"lg2≠git",7}");
        foreach (var (name, s) in stats)
        {
            TestContext.Out.WriteLine($"{name,-56} {s.Merges,6} {s.Clean,5} {s.Conflicts,5} {s.Route(MergeRoute.TreeFastPath),5} {s.Route(MergeRoute.TreeFastPathWithFileMerges),6} {s.Route(MergeRoute.GitMergeTree),5} {s.LibGit2Disagrees,7}");
        }

        var all = new KindStats
        {
            Merges = total,
            Clean = stats.Values.Sum(s => s.Clean),
            Conflicts = stats.Values.Sum(s => s.Conflicts),
            LibGit2Disagrees = stats.Values.Sum(s => s.LibGit2Disagrees),
        };
        foreach (var route in Enum.GetValues<MergeRoute>())
        {
            all.Routes[route] = stats.Values.Sum(s => s.Route(route));
        }

        TestContext.Out.WriteLine($"{"TOTAL",-56} {all.Merges,6} {all.Clean,5} {all.Conflicts,5} {all.Route(MergeRoute.TreeFastPath),5} {all.Route(MergeRoute.TreeFastPathWithFileMerges),6} {all.Route(MergeRoute.GitMergeTree),5} {all.LibGit2Disagrees,7}");

        failures.ShouldBeEmpty();
        total.ShouldBeGreaterThanOrEqualTo(500);
        foreach (var kind in KindsThatMustConflict)
        {
            stats[kind].Conflicts.ShouldBeGreaterThan(0, $"the corpus must exercise '{kind}' conflicts");
        }

        all.Route(MergeRoute.TreeFastPath).ShouldBeGreaterThan(100, "the fast path must carry the ordinary merges");
        all.Route(MergeRoute.TreeFastPathWithFileMerges).ShouldBeGreaterThan(30, "files changed on both sides must be merged on the fast path");
        all.Route(MergeRoute.GitMergeTree).ShouldBeGreaterThan(30, "renames must fall back to git");
        stats["directory rename, file added to the old directory"].LibGit2Disagrees
            .ShouldBeGreaterThan(0, "libgit2 lacks directory-rename detection: the corpus must show the builder does not inherit that");
    }

    // How often libgit2's own MergeCommits would have disagreed with git: what the fallback protects against.
    private static void CountLibGit2(Repository repository, string ours, string theirs, int gitExit, string gitTree, KindStats stats)
    {
        var result = repository.ObjectDatabase.MergeCommits(
            repository.Lookup<Commit>(ours), repository.Lookup<Commit>(theirs),
            new MergeTreeOptions { FailOnConflict = false, SkipReuc = true, FindRenames = true });
        var agrees = result.Status == MergeTreeStatus.Conflicts
            ? gitExit == 1
            : gitExit == 0 && result.Tree.Sha == gitTree;
        if (!agrees)
        {
            stats.LibGit2Disagrees++;
        }
    }

    private sealed class KindStats
    {
        public int Merges { get; set; }

        public int Clean { get; set; }

        public int Conflicts { get; set; }

        public int LibGit2Disagrees { get; set; }

        public Dictionary<MergeRoute, int> Routes { get; } = [];

        public int Route(MergeRoute route) => Routes.GetValueOrDefault(route);
    }
}

/// <summary>A clock that always reads the same instant, so that commits are reproducible.</summary>
internal sealed class FixedTime : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
}
