using System.Diagnostics;
using System.Globalization;
using MergeTrain.Simulator;

// Usage: dotnet run -c Release --project samples/MergeTrain.Simulator [-- --days 14 --seed 42]
var days = 14;
var seed = 42;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--days": days = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

Console.WriteLine($"Simulated {days} days per row: 12 MRs/hour (Poisson), pipelines 30 min median (log-normal, sigma 0.25), 2% flaky, seed {seed}.");
Console.WriteLine("Dropped MRs come back: bad ones fixed after 1-2 h, good ones re-added after 30 min. Time to merge counts from the first add.");
Console.WriteLine();
Console.WriteLine("| MaxParallelPipelines | bad MRs | merged/hour | time to merge p50 | p95 | pipeline min per merged MR | pipeline min wasted | good MRs dropped (by a flake) | left on train | engine decisions |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var bad in new[] { 0.05, 0.15 })
{
    foreach (var parallel in new[] { 1, 20 })
    {
        var watch = Stopwatch.StartNew();
        var workload = new Workload(parallel, 12, bad, 0.02, TimeSpan.FromMinutes(30), 0.25, TimeSpan.FromDays(days), seed);
        var r = new Simulation(workload).Run();
        Console.WriteLine(
            $"| {parallel} | {bad:P0} | {r.MergedPerHour:F1} | {Format(r.TimeToMergeP50)} | {Format(r.TimeToMergeP95)} | {r.PipelineMinutesPerMerge:F0} | {r.WastedPipelineMinutes:N0} | {r.WronglyDropped} ({r.WronglyDroppedByFlake}) | {r.LeftOnTrain} | {r.Decisions:N0} in {watch.Elapsed.TotalSeconds:F1} s |");
    }
}

return 0;

static string Format(TimeSpan time) => time.TotalHours >= 24 ? $"{time.TotalDays:F1} d" : time.TotalHours >= 1 ? $"{time.TotalHours:F1} h" : $"{time.TotalMinutes:F0} min";
