using System.Globalization;

namespace MergeTrain.Simulator.Replay;

/// <summary>
/// <c>--replay</c>: reads a project's last weeks from GitLab, replays them under GitLab's policy and
/// MergeTrain's, prints the table and recommends a configuration.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>How long the replay runs on after the window so that the last arrivals can merge.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromDays(2);

    /// <summary>
    /// Runs the command: <c>--replay --gitlab-url URL --project ID|PATH [--weeks 4] [--runners 0] [--project-index 0]</c>,
    /// with the API token in <paramref name="token"/> (from <c>GITLAB_TOKEN</c>; never printed). Returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string? token, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Uri? gitLabUrl = null;
        string? project = null;
        var weeks = 4;
        var runners = 0;
        var projectIndex = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--replay": break;
                case "--gitlab-url" when i + 1 < args.Length && Uri.TryCreate(args[i + 1], UriKind.Absolute, out var url): gitLabUrl = url; i++; break;
                case "--project" when i + 1 < args.Length: project = args[++i]; break;
                case "--weeks" when i + 1 < args.Length: weeks = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runners" when i + 1 < args.Length: runners = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--project-index" when i + 1 < args.Length: projectIndex = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: await error.WriteLineAsync($"unknown option or missing value: {args[i]}"); return 2;
            }
        }

        if (gitLabUrl is null || project is null || weeks < 1)
        {
            await error.WriteLineAsync("usage: --replay --gitlab-url URL --project ID|PATH [--weeks 4] [--runners 0] [--project-index 0], token in GITLAB_TOKEN");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", token);
        }

        var window = TimeSpan.FromDays(7 * weeks);
        var windowStart = now - window;
        IReadOnlyList<HistoryMergeRequest> history;
        try
        {
            history = await new GitLabHistoryReader(http, gitLabUrl, project).ReadAsync(windowStart, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"reading the history failed: {exception.Message}");
            return 1;
        }

        var trace = HistoryTrace.From(history, windowStart, window, Drain);
        if (trace.MergeRequests.Count == 0)
        {
            await error.WriteLineAsync($"no merged MR of project {project} was created in the last {weeks} weeks");
            return 1;
        }

        var results = Replay(trace, runners);
        Print(output, project, weeks, runners, projectIndex, trace, results);
        return 0;
    }

    /// <summary>Every compared policy on the trace, run on every core, in the order of <see cref="Policies.Compared"/>.</summary>
    public static SimulationResult[] Replay(Trace trace, int runners)
    {
        var count = trace.MergeRequests.Count;
        var durations = trace.MergeRequests.Select(m => m.PipelineDuration).Order().ToList();

        // The shares are what the trace holds, for the table; the simulation takes every fact from the trace itself.
        var workload = new Workload(
            count / trace.Window.TotalHours,
            trace.MergeRequests.Count(m => m.Bad) / (double)count,
            0,
            0,
            durations[durations.Count / 2],
            0,
            trace.Window,
            42,
            runners,
            trace);
        var policies = Policies.Compared(Policies.DefaultPendingFailureDepth);
        var results = new SimulationResult[policies.Count];
        Parallel.For(0, policies.Count, i => results[i] = new Simulation(workload, policies[i]).Run());
        return results;
    }

    /// <summary>
    /// The policy with the best p95 time to merge among those that kept up (merged every MR and left
    /// none on the train), fewer pipeline minutes per merged MR breaking ties; null when none kept up.
    /// </summary>
    public static SimulationResult? Recommend(IReadOnlyList<SimulationResult> results, int count) =>
        results
            .Where(r => r.Merged == count && r.LeftOnTrain == 0)
            .OrderBy(r => r.TimeToMergeP95)
            .ThenBy(r => r.PipelineMinutesPerMerge)
            .FirstOrDefault();

    /// <summary>The configuration keys that set the policy's train, for project <paramref name="index"/>.</summary>
    public static IEnumerable<string> ConfigKeys(Policy policy, int index)
    {
        var settings = policy.Settings;
        var prefix = $"MergeTrain:Projects:{index}:";
        yield return $"{prefix}MaxParallelPipelines={settings.MaxParallelPipelines}";
        yield return $"{prefix}FailedPipelineRetries={settings.FailedPipelineRetries}";
        yield return $"{prefix}PendingFailureDepth={settings.PendingFailureDepth}";
        yield return $"{prefix}AdaptiveWindow={(settings.AdaptiveWindow ? "true" : "false")}";
        if (settings.AdaptiveWindow || settings.WastedMinutesPerHour > 0)
        {
            yield return $"{prefix}MinParallelPipelines={settings.MinParallelPipelines}";
        }

        yield return $"{prefix}WindowFollowsRunners={(settings.WindowFollowsRunners ? "true" : "false")}";
        yield return $"{prefix}WastedMinutesPerHour={settings.WastedMinutesPerHour}";
        yield return $"{prefix}BatchSize={settings.BatchSize}";
        if (settings.BatchSize > 1)
        {
            yield return $"{prefix}MinBatchSize={settings.MinBatchSize}";
        }
    }

    private static void Print(TextWriter output, string project, int weeks, int runners, int index, Trace trace, SimulationResult[] results)
    {
        var count = trace.MergeRequests.Count;
        var bad = trace.MergeRequests.Count(m => m.Bad);
        var flaky = trace.MergeRequests.Count(m => m.Flaky);
        var median = results[0].Workload.PipelineMedian;
        output.WriteLine($"Replayed {count} merged MRs of project {project} created in the last {weeks} weeks: {count / trace.Window.TotalHours:F1} MRs/hour, {bad} bad ({Percent(bad, count)}), {flaky} flaky ({Percent(flaky, count)}), pipelines {Tables.Duration(median)} median; runners: {(runners == 0 ? "enough" : runners.ToString(CultureInfo.InvariantCulture))}.");
        output.WriteLine("Each MR arrives when it was created, with its recorded pipeline duration; a bad MR is fixed after its recorded fix time, a flaky one fails its first run once; a good MR dropped comes back after 30 min.");
        output.WriteLine();
        output.WriteLine("| policy | time to merge p50 | p95 | merged | merged/hour | pipeline min per merged MR | pipeline min wasted | left on train |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            output.WriteLine($"| {r.Policy.Name} | {Tables.Duration(r.TimeToMergeP50)} | {Tables.Duration(r.TimeToMergeP95)} | {r.Merged} | {r.MergedPerHour:F1} | {r.PipelineMinutesPerMerge:F0} | {r.WastedPipelineMinutes:N0} | {r.LeftOnTrain} |");
        }

        output.WriteLine();
        var recommended = Recommend(results, count);
        if (recommended is null)
        {
            output.WriteLine($"Recommended: none; no policy merged all {count} MRs within {Tables.Duration(trace.Drain)} after the window (more runners, or a smaller train?).");
            return;
        }

        output.WriteLine($"Recommended: {recommended.Policy.Name}, the best p95 time to merge ({Tables.Duration(recommended.TimeToMergeP95)}, GitLab's {Tables.Duration(results[0].TimeToMergeP95)}) among the policies that kept up, at {recommended.PipelineMinutesPerMerge:F0} pipeline min per merged MR (GitLab's {results[0].PipelineMinutesPerMerge:F0}):");
        foreach (var key in ConfigKeys(recommended.Policy, index))
        {
            output.WriteLine("  " + key);
        }

        if (recommended.Policy.Urgent == UrgentHandling.HighPriority)
        {
            output.WriteLine($"  and urgent MRs added with the priority label (MergeTrain:Projects:{index}:PriorityLabel) rather than merged immediately.");
        }
    }

    private static string Percent(int part, int whole) => $"{100.0 * part / whole:0.#} %";
}
