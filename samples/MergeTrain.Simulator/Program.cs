using System.Diagnostics;
using System.Globalization;
using MergeTrain.Simulator;
using MergeTrain.Simulator.Replay;

// Usage: dotnet run -c Release --project samples/MergeTrain.Simulator [-- --days 14 --seed 42 --depth 2 --sweep]
// --sweep prints, instead, the later-green policies at pending-failure depths 1 to 3 (how the depth was chosen).
// --replay --gitlab-url URL --project ID --weeks N replays the project's own history instead (token in GITLAB_TOKEN).
if (args.Contains("--replay"))
{
    return await ReplayCommand.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("GITLAB_TOKEN"), DateTimeOffset.UtcNow);
}

var days = 14;
var seed = 42;
var depth = Policies.DefaultPendingFailureDepth;
var sweep = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--sweep": sweep = true; break;
        case "--days" when i + 1 < args.Length: days = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--depth" when i + 1 < args.Length: depth = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option or missing value: {args[i]}"); return 2;
    }
}

double[] badShares = [0.05, 0.15];
double[] flakyShares = [0.02, 0.10];
int[] parallels = [1, 20];
int[] depths = [1, 2, 3];
var watch = Stopwatch.StartNew();
Workload Team(double bad, double flaky, double urgent, int runners = 0) =>
    new(12, bad, flaky, urgent, TimeSpan.FromMinutes(30), 0.25, TimeSpan.FromDays(days), seed, runners);

var parallelism = sweep ? [] : (
    from bad in badShares
    from parallel in parallels
    select (Workload: Team(bad, 0.02, 0), Policy: Policies.Parallelism(parallel))).ToArray();
// The rows: bad and flaky shares with runners for every pipeline, then a runner-starved team
// (runners for 4 pipelines at once) at 5 % bad, 2 % flaky.
(double Bad, double Flaky, int Runners)[] rows =
[
    .. from bad in badShares from flaky in flakyShares select (bad, flaky, 0),
    (0.05, 0.02, RunnerStarved),
];
var compared = (
    from row in rows
    from policy in sweep ? depths.SelectMany(Policies.LaterGreen).Prepend(Policies.Compared(depth)[0]) : Policies.Compared(depth)
    select (Workload: Team(row.Bad, row.Flaky, 0.05, row.Runners), Policy: policy)).ToArray();

// Every simulation is independent and deterministic: run them on every core, print in order.
var runs = parallelism.Concat(compared).ToArray();
var results = new SimulationResult[runs.Length];
Parallel.For(0, runs.Length, i => results[i] = new Simulation(runs[i].Workload, runs[i].Policy).Run());

Console.WriteLine($"Simulated {days} days per row: 12 MRs/hour (Poisson), pipelines of {JobModel.Default.Count} jobs, 30 min median (log-normal, sigma 0.25), seed {seed}.");
Console.WriteLine("Dropped MRs come back: bad ones fixed after 1-2 h, good ones re-added after 30 min. Time to merge counts from the first add.");
Console.WriteLine();
if (!sweep)
{
    Console.WriteLine("What parallelism buys (GitLab's policy, 2 % flaky, no urgent MRs):");
    Console.WriteLine();
    Tables.PrintParallelism(results.Take(parallelism.Length));
    Console.WriteLine();
}

Console.WriteLine($"GitLab's policy against MergeTrain's (5 % of MRs urgent, never bad; pending-failure depth {(sweep ? "1 to 3" : depth)}):");
Console.WriteLine();
var policyResults = results.Skip(parallelism.Length).ToArray();
Tables.PrintPolicies(policyResults);
Console.WriteLine();
if (!sweep)
{
    var goalRow = policyResults.Where(r => r.Workload is { BadProbability: 0.05, FlakeProbability: 0.02, Runners: 0 }).ToArray();
    Tables.PrintGoalCheck(goalRow[0], goalRow.Single(r => r.Policy.Name.StartsWith("all together", StringComparison.Ordinal)));
    Console.WriteLine();
    var starved = policyResults.Where(r => r.Workload.Runners == RunnerStarved).ToArray();
    foreach (var batches in goalRow.Where(r => r.Policy.Settings.BatchSize > 1))
    {
        Tables.PrintBudgetGoalCheck(goalRow[0], batches, starved[0], starved.Single(r => r.Policy == batches.Policy));
        Console.WriteLine();
    }
}

Console.WriteLine($"Fast-forwards to a commit with a failing job: {results.Sum(r => r.BrokenTargets)} (must be 0).");
Console.WriteLine($"{results.Sum(r => r.Decisions):N0} engine decisions in {results.Length} simulations; elapsed {watch.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores.");
return 0;

internal static partial class Program
{
    /// <summary>The runner-starved row's runners: pipelines that can run at once.</summary>
    private const int RunnerStarved = 4;
}
