namespace MergeTrain.Simulator;

/// <summary>Prints the simulator's results as Markdown tables, ready for the README.</summary>
internal static class Tables
{
    /// <summary>GitLab's train with one pipeline against twenty: what parallelism buys.</summary>
    public static void PrintParallelism(IEnumerable<SimulationResult> results)
    {
        Console.WriteLine("| MaxParallelPipelines | bad MRs | merged/hour | time to merge p50 | p95 | pipeline min per merged MR | pipeline min wasted | good MRs dropped (by a flake) | left on train |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(
                $"| {r.Policy.Settings.MaxParallelPipelines} | {Percent(r.Workload.BadProbability)} | {r.MergedPerHour:F1} | {Duration(r.TimeToMergeP50)} | {Duration(r.TimeToMergeP95)} | {r.PipelineMinutesPerMerge:F0} | {r.WastedPipelineMinutes:N0} | {r.WronglyDropped} ({r.WronglyDroppedByFlake}) | {r.LeftOnTrain} |");
        }
    }

    /// <summary>Every policy on every workload, GitLab's first in each group.</summary>
    public static void PrintPolicies(IEnumerable<SimulationResult> results)
    {
        Console.WriteLine("| bad MRs | flaky | runners | policy | time to merge p50 | p95 | merged/hour | pipeline min per merged MR | pipeline min wasted | good MRs dropped (by a flake) | urgent MRs p50 | retries | left on train |");
        Console.WriteLine("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(
                $"| {Percent(r.Workload.BadProbability)} | {Percent(r.Workload.FlakeProbability)} | {(r.Workload.Runners == 0 ? "enough" : r.Workload.Runners.ToString(System.Globalization.CultureInfo.InvariantCulture))} | {r.Policy.Name} | {Duration(r.TimeToMergeP50)} | {Duration(r.TimeToMergeP95)} | {r.MergedPerHour:F1} | {r.PipelineMinutesPerMerge:F0} | {r.WastedPipelineMinutes:N0} | {r.WronglyDropped} ({r.WronglyDroppedByFlake}) | {(r.UrgentMerged == 0 ? "–" : Duration(r.UrgentTimeToMergeP50))} | {r.Retries:N0} | {r.LeftOnTrain} |");
        }
    }

    /// <summary>Issue 12's goal on one workload: the policy against GitLab's.</summary>
    public static void PrintGoalCheck(SimulationResult gitLab, SimulationResult policy)
    {
        var wasted = gitLab.WastedPipelineMinutes == 0 ? double.NaN : policy.WastedPipelineMinutes / gitLab.WastedPipelineMinutes;
        var p95 = policy.TimeToMergeP95 / gitLab.TimeToMergeP95;
        Console.WriteLine($"Goal check, {Percent(policy.Workload.BadProbability)} bad / {Percent(policy.Workload.FlakeProbability)} flaky, {policy.Policy.Name} against {gitLab.Policy.Name}:");
        Console.WriteLine();
        Console.WriteLine("| measure | goal | result | met |");
        Console.WriteLine("|---|---:|---:|:---:|");
        Console.WriteLine($"| good MRs dropped by a flake | 0 | {policy.WronglyDroppedByFlake} (GitLab {gitLab.WronglyDroppedByFlake}) | {Met(policy.WronglyDroppedByFlake == 0)} |");
        Console.WriteLine($"| wasted pipeline minutes, ratio | ≤ 0.50 | {wasted:F2} ({policy.WastedPipelineMinutes:N0} / {gitLab.WastedPipelineMinutes:N0}) | {Met(wasted <= 0.5)} |");
        Console.WriteLine($"| time to merge p95, ratio | ≤ 0.70 | {p95:F2} ({Duration(policy.TimeToMergeP95)} / {Duration(gitLab.TimeToMergeP95)}) | {Met(p95 <= 0.7)} |");
    }

    /// <summary>Issue 13's goals: minutes per merged MR halved at equal or better p95 (5 % bad); p95 40 % lower with starved runners.</summary>
    public static void PrintBudgetGoalCheck(SimulationResult gitLab, SimulationResult policy, SimulationResult starvedGitLab, SimulationResult starvedPolicy)
    {
        var minutes = policy.PipelineMinutesPerMerge / gitLab.PipelineMinutesPerMerge;
        var p95 = policy.TimeToMergeP95 / gitLab.TimeToMergeP95;
        var starvedP95 = starvedPolicy.TimeToMergeP95 / starvedGitLab.TimeToMergeP95;
        Console.WriteLine($"Goal check, issue 13: {policy.Policy.Name} against {gitLab.Policy.Name}:");
        Console.WriteLine();
        Console.WriteLine("| measure | goal | result | met |");
        Console.WriteLine("|---|---:|---:|:---:|");
        Console.WriteLine($"| pipeline min per merged MR, ratio ({Percent(policy.Workload.BadProbability)} bad) | ≤ 0.50 | {minutes:F2} ({policy.PipelineMinutesPerMerge:F0} / {gitLab.PipelineMinutesPerMerge:F0}) | {Met(minutes <= 0.5)} |");
        Console.WriteLine($"| time to merge p95, ratio (same row) | ≤ 1.00 | {p95:F2} ({Duration(policy.TimeToMergeP95)} / {Duration(gitLab.TimeToMergeP95)}) | {Met(p95 <= 1)} |");
        Console.WriteLine($"| time to merge p95, ratio ({starvedPolicy.Workload.Runners} runners) | ≤ 0.60 | {starvedP95:F2} ({Duration(starvedPolicy.TimeToMergeP95)} / {Duration(starvedGitLab.TimeToMergeP95)}) | {Met(starvedP95 <= 0.6)} |");
    }

    private static string Met(bool met) => met ? "yes" : "no";

    private static string Percent(double share) => $"{share * 100:0.#} %";

    /// <summary>A duration as the tables write it: minutes, hours or days.</summary>
    internal static string Duration(TimeSpan time) =>
        time.TotalHours >= 24 ? $"{time.TotalDays:F1} d" : time.TotalHours >= 1 ? $"{time.TotalHours:F1} h" : $"{time.TotalMinutes:F0} min";
}
