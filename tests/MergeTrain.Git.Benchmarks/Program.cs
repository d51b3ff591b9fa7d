using System.Diagnostics;
using System.Globalization;
using System.Text;
using MergeTrain.Git;

// Speculative builder against git itself, on a generated repository of 20,000 files and 5,000
// commits (cached under /tmp between runs). Both build the same 20-car train from scratch, then
// rebuild the 19 cars behind a dropped first car; the trees must be identical.
// With --replay <repository> it instead replays real merges of that repository (Replay.cs).

if (args.Length > 0)
{
    return Replay.Run(args);
}

const int Files = 20_000;
const int MainCommits = 5_000;
const int Cars = 20;
var cacheRoot = Path.Combine(Path.GetTempPath(), "mergetrain-bench-v1");
var repositoryPath = Path.Combine(cacheRoot, "repositories", "1.git");

var setup = Stopwatch.StartNew();
if (!File.Exists(Path.Combine(cacheRoot, "ready")))
{
    if (Directory.Exists(cacheRoot))
    {
        Directory.Delete(cacheRoot, recursive: true);
    }

    Directory.CreateDirectory(repositoryPath);
    Process.Start("git", ["init", "--quiet", "--bare", "--initial-branch=main", repositoryPath]).WaitForExit();
    Generate(repositoryPath);
    File.WriteAllText(Path.Combine(cacheRoot, "ready"), DateTime.UtcNow.ToString("O"));
    Console.WriteLine($"generated {repositoryPath} in {setup.Elapsed.TotalSeconds:F1} s");
}
else
{
    Console.WriteLine($"using the cached repository {repositoryPath}");
}

var fileCount = Git(repositoryPath, "ls-tree", "-r", "--name-only", "main").Split('\n').Length;
var commitCount = Git(repositoryPath, "rev-list", "--count", "main");
Console.WriteLine($"repository: {fileCount} files at main, {commitCount} commits on main, {Cars} merge requests");

var target = Git(repositoryPath, "rev-parse", "main");
var heads = Enumerable.Range(1, Cars).Select(i => Git(repositoryPath, "rev-parse", $"refs/merge-requests/{i}/head")).ToList();

var settings = new ProjectRepositorySettings(cacheRoot, 1, repositoryPath) { Committer = new GitIdentity("MergeTrain", "bot@example.com") };
using var builder = ProjectRepository.Open(settings, new FixedTime());

// Warm up both (JIT, page cache), then measure.
BuildWithBuilder(target, Enumerable.Range(1, Cars));
BuildWithGit(target, Enumerable.Range(1, Cars));

var builderTrain = BuildWithBuilder(target, Enumerable.Range(1, Cars));
var builderRebuild = BuildWithBuilder(target, Enumerable.Range(2, Cars - 1));
var gitTrain = BuildWithGit(target, Enumerable.Range(1, Cars));
var gitRebuild = BuildWithGit(target, Enumerable.Range(2, Cars - 1));

var identical = builderTrain.Trees.SequenceEqual(gitTrain.Trees) && builderRebuild.Trees.SequenceEqual(gitRebuild.Trees);
var builderPerCar = builderTrain.PerCar.Concat(builderRebuild.PerCar).ToList();
var gitPerCar = gitTrain.PerCar.Concat(gitRebuild.PerCar).ToList();

Console.WriteLine();
Console.WriteLine($"{"",-34} {"builder",12} {"git merge-tree+commit-tree",28} {"speed-up",9}");
Row("train of 20 cars from scratch", builderTrain.Total, gitTrain.Total);
Row("rebuild of 19 cars (car 1 dropped)", builderRebuild.Total, gitRebuild.Total);
Row("median per car (39 cars)", Percentiles.Median(builderPerCar), Percentiles.Median(gitPerCar));
Row("90th percentile per car", Percentiles.Of(builderPerCar, 0.9), Percentiles.Of(gitPerCar, 0.9));
Console.WriteLine();
Console.WriteLine($"builder routes: {string.Join(", ", builderTrain.Routes.Concat(builderRebuild.Routes).GroupBy(r => r).Select(g => $"{g.Key} {g.Count()}"))}");
Console.WriteLine($"trees identical to git's for all {builderPerCar.Count} cars: {(identical ? "yes" : "NO")}");
return identical ? 0 : 1;

Run BuildWithBuilder(string start, IEnumerable<int> cars)
{
    var run = new Run();
    var @base = start;
    var total = Stopwatch.StartNew();
    foreach (var iid in cars)
    {
        var car = Stopwatch.StartNew();
        var outcome = builder.BuildMergeRef(iid, @base, heads[iid - 1], Message(iid));
        run.PerCar.Add(car.Elapsed.TotalMilliseconds);
        var merged = outcome as MergeOutcome.Merged ?? throw new InvalidOperationException($"car {iid} conflicts");
        run.Trees.Add(merged.TreeSha);
        run.Routes.Add(merged.Route);
        @base = merged.CommitSha;
    }

    run.Total = total.Elapsed.TotalMilliseconds;
    return run;
}

Run BuildWithGit(string start, IEnumerable<int> cars)
{
    var run = new Run();
    var @base = start;
    var total = Stopwatch.StartNew();
    foreach (var iid in cars)
    {
        var car = Stopwatch.StartNew();
        var tree = Git(repositoryPath, "merge-tree", "--write-tree", @base, heads[iid - 1]);
        @base = Git(repositoryPath, "commit-tree", tree, "-p", @base, "-p", heads[iid - 1], "-m", Message(iid));
        run.PerCar.Add(car.Elapsed.TotalMilliseconds);
        run.Trees.Add(tree);
    }

    run.Total = total.Elapsed.TotalMilliseconds;
    return run;
}

static string Message(int iid) =>
    $"Merge branch 'feature-{iid}' into 'main'\n\nFeature {iid}\n\nSee merge request group/project!{iid}";

static void Row(string label, double builder, double git) =>
    Console.WriteLine($"{label,-34} {builder,9:F1} ms {git,25:F1} ms {git / builder,8:F1}x");

static string Git(string repository, params string[] arguments) => GitProcess.Output(repository, arguments);

// One git fast-import stream: a first commit with every file, 4,999 commits that edit two files
// (every tenth also adds one), and 20 merge requests, each forked from main or a little behind it,
// editing two files of its own and adding one.
static void Generate(string repository)
{
    var random = new Random(42);
    var start = new ProcessStartInfo("git") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    start.ArgumentList.Add("--git-dir=" + repository);
    start.ArgumentList.Add("fast-import");
    start.ArgumentList.Add("--quiet");
    GitProcess.SetEnvironment(start);
    using var process = Process.Start(start)!;
    var input = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
    var time = 1_700_000_000L;

    static string FilePath(int i) => $"module{i / 1000:D2}/package{i / 100 % 10}/file{i % 100:D2}.txt";

    string Content(int file, int version) =>
        string.Concat(Enumerable.Range(0, 12).Select(line => $"file {file} line {line} version {(line == version % 12 ? version : 0)}\n"));

    void Data(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        input.Write(string.Create(CultureInfo.InvariantCulture, $"data {bytes}\n"));
        input.Write(text);
        input.Write('\n');
    }

    void Commit(string reference, int mark, int? from, string message, IEnumerable<(string Path, string Content)> changes)
    {
        input.WriteLine($"commit {reference}");
        input.WriteLine($"mark :{mark}");
        input.WriteLine($"committer Bench <bench@example.com> {time++} +0000");
        Data(message);
        if (from is { } parent)
        {
            input.WriteLine($"from :{parent}");
        }

        foreach (var (path, content) in changes)
        {
            input.WriteLine($"M 100644 inline {path}");
            Data(content);
        }
    }

    Commit("refs/heads/main", 1, null, "initial", Enumerable.Range(0, Files).Select(i => (FilePath(i), Content(i, 0))));
    var added = Files;

    // Files the merge requests edit are never edited on main, so the train is conflict-free.
    var reserved = Enumerable.Range(0, Cars * 2).Select(i => i * 487 % Files).ToHashSet();
    for (var mark = 2; mark <= MainCommits; mark++)
    {
        var changes = new List<(string, string)>();
        while (changes.Count < 2)
        {
            var file = random.Next(Files);
            if (!reserved.Contains(file))
            {
                changes.Add((FilePath(file), Content(file, mark)));
            }
        }

        if (mark % 10 == 0)
        {
            changes.Add(($"added/main{added}.txt", Content(added++, mark)));
        }

        Commit("refs/heads/main", mark, mark - 1, $"main commit {mark}", changes);
    }

    var nextMark = MainCommits + 1;
    for (var iid = 1; iid <= Cars; iid++)
    {
        var fork = MainCommits - (iid % 4 * 25);
        var first = nextMark++;
        Commit($"refs/merge-requests/{iid}/head", first, fork, $"feature {iid} part 1",
            [(FilePath((iid - 1) * 2 * 487 % Files), Content((iid - 1) * 2 * 487 % Files, 10_000 + iid))]);
        Commit($"refs/merge-requests/{iid}/head", nextMark++, first, $"feature {iid} part 2",
        [
            (FilePath(((iid - 1) * 2 + 1) * 487 % Files), Content(((iid - 1) * 2 + 1) * 487 % Files, 20_000 + iid)),
            ($"features/feature{iid}/notes.txt", Content(100_000 + iid, 1)),
        ]);
    }

    input.Flush();
    process.StandardInput.Close();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"git fast-import exited {process.ExitCode}");
    }
}

internal sealed class Run
{
    public List<double> PerCar { get; } = [];

    public List<string> Trees { get; } = [];

    public List<MergeRoute> Routes { get; } = [];

    public double Total { get; set; }
}

/// <summary>A clock that always reads the same instant, so that both sides write the same commits.</summary>
internal sealed class FixedTime : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(1_795_428_000);
}
