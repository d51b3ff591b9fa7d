using System.Diagnostics;
using System.Globalization;
using MergeTrain.Git;

/// <summary>
/// Replays real merges of any repository: N two-parent merges picked (seeded) from the default
/// branch's first-parent history, each built by the builder and by <c>git merge-tree --write-tree</c>
/// + <c>git commit-tree</c> in the same run, with trees and conflict paths compared.
/// </summary>
/// <remarks>
/// Nothing is written to the replayed repository: both sides work in a scratch bare repository
/// that borrows its objects (<c>objects/info/alternates</c>) and its <c>info/attributes</c>, which
/// is what git applies to merges in a bare repository.
/// </remarks>
internal static class Replay
{
    // Merges built and timed but not counted, on both sides: the service is long-running, and the
    // first few dozen merges of a process mostly measure the JIT (a profile of 300 merges on
    // libgit2/libgit2 spent 16 % of the builder's time in it with 5 warm-up merges).
    private const int WarmUp = 50;

    public static int Run(string[] args)
    {
        string? source = null;
        int merges = 200, seed = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--replay" when i + 1 < args.Length: source = args[++i]; break;
                case "--merges" when i + 1 < args.Length: merges = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine("usage: [--replay <bare or normal repository> [--merges N] [--seed S]]");
                    return 2;
            }
        }

        if (source is null)
        {
            Console.Error.WriteLine("--replay needs a repository");
            return 2;
        }

        var gitDirectory = GitDirectoryOf(source);
        var branch = GitProcess.Output(gitDirectory, "symbolic-ref", "HEAD");
        var candidates = GitProcess.Output(gitDirectory, "rev-list", "--first-parent", "--merges", "--parents", branch)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(ids => ids.Length == 3)
            .ToList();
        var picked = candidates.ToArray();
        new Random(seed).Shuffle(picked);
        var replayed = picked.Take(merges + WarmUp).ToList();
        Console.WriteLine($"{source}: {branch}, {candidates.Count} two-parent first-parent merges, replaying {replayed.Count - WarmUp} (seed {seed}, {WarmUp} more to warm up)");

        var scratch = Directory.CreateTempSubdirectory("mergetrain-replay-");
        try
        {
            var settings = new ProjectRepositorySettings(scratch.FullName, 1, "unused") { Committer = new GitIdentity("MergeTrain", "bot@example.com") };
            PrepareScratch(settings.RepositoryPath, gitDirectory);
            using var builder = ProjectRepository.Open(settings, new FixedTime());
            var results = new List<Result>();
            for (var i = 0; i < replayed.Count; i++)
            {
                var result = ReplayOne(builder, settings.RepositoryPath, i + 1, replayed[i][1], replayed[i][2]);
                if (i >= WarmUp)
                {
                    results.Add(result);
                }
            }

            return Report(results);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static Result ReplayOne(ProjectRepository builder, string repository, int iid, string ours, string theirs)
    {
        var message = $"Merge {theirs} into {ours}\n";
        var clock = Stopwatch.StartNew();
        var outcome = builder.BuildMergeRef(iid, ours, theirs, message);
        var builderMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var (exit, output) = GitProcess.Run(repository, [0, 1], "merge-tree", "--write-tree", "-z", "--name-only", ours, theirs);
        var fields = output.Split('\0');
        if (exit == 0)
        {
            GitProcess.Output(repository, "commit-tree", fields[0], "-p", ours, "-p", theirs, "-m", message);
        }

        var gitMs = clock.Elapsed.TotalMilliseconds;
        var agrees = outcome switch
        {
            MergeOutcome.Merged merged => exit == 0 && merged.TreeSha == fields[0],
            MergeOutcome.Conflicted conflicted => exit == 1
                && conflicted.Paths.SequenceEqual(fields.Skip(1).TakeWhile(f => f.Length > 0).Distinct().Order(StringComparer.Ordinal)),
            _ => false,
        };
        if (!agrees)
        {
            Console.WriteLine($"DISAGREES: git merge-tree --write-tree {ours} {theirs} (builder {outcome})");
        }

        var route = outcome is MergeOutcome.Merged m ? m.Route.ToString()
            : outcome.FastPathExit == FastPathExit.None ? "TreeFastPathWithFileMerges (conflict)" : "GitMergeTree (conflict)";
        return new Result(builderMs, gitMs, agrees, route, outcome.FastPathExit);
    }

    private static int Report(List<Result> results)
    {
        var builder = results.Select(r => r.BuilderMs).ToList();
        var git = results.Select(r => r.GitMs).ToList();
        var agreeing = results.Count(r => r.Agrees);
        Console.WriteLine();
        Console.WriteLine($"{"",-24} {"builder",10} {"git merge-tree+commit-tree",28} {"speed-up",9}");
        Row("median per merge", Percentiles.Median(builder), Percentiles.Median(git));
        Row("90th percentile", Percentiles.Of(builder, 0.9), Percentiles.Of(git, 0.9));
        Row("total", builder.Sum(), git.Sum());
        Console.WriteLine();
        Console.WriteLine($"builder routes: {string.Join(", ", results.GroupBy(r => r.Route).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}");
        var exits = results.Where(r => r.Exit != FastPathExit.None).GroupBy(r => r.Exit).OrderByDescending(g => g.Count()).ToList();
        Console.WriteLine($"reasons for leaving the fast path: {(exits.Count == 0 ? "none" : string.Join(", ", exits.Select(g => $"{g.Key} {g.Count()}")))}");
        Console.WriteLine($"agreement with git (trees and conflict paths): {agreeing} of {results.Count}");
        return agreeing == results.Count ? 0 : 1;

        static void Row(string label, double builder, double git) =>
            Console.WriteLine($"{label,-24} {builder,7:F1} ms {git,25:F1} ms {git / builder,8:F1}x");
    }

    private static string GitDirectoryOf(string path)
    {
        // A normal repository's git directory is .git (or what a .git file points at); a bare one is itself.
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, WorkingDirectory = path };
        start.ArgumentList.Add("rev-parse");
        start.ArgumentList.Add("--absolute-git-dir");
        GitProcess.SetEnvironment(start);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{path} is not a git repository");
    }

    private static void PrepareScratch(string repository, string source)
    {
        Directory.CreateDirectory(repository);
        GitProcess.Output(repository, "init", "--quiet", "--bare", repository);
        var objects = Path.GetFullPath(GitProcess.Output(source, "rev-parse", "--git-path", "objects"), source);
        File.WriteAllText(Path.Combine(repository, "objects", "info", "alternates"), objects + "\n");
        var attributes = Path.Combine(source, "info", "attributes");
        if (File.Exists(attributes))
        {
            Directory.CreateDirectory(Path.Combine(repository, "info"));
            File.Copy(attributes, Path.Combine(repository, "info", "attributes"));
        }
    }

    private sealed record Result(double BuilderMs, double GitMs, bool Agrees, string Route, FastPathExit Exit);
}
