using MergeTrain.Core.Benchmarks;

// Usage: dotnet run -c Release --project tests/MergeTrain.Core.Benchmarks -- <benchmark>
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["engine"] = EngineBenchmark.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: MergeTrain.Core.Benchmarks <{string.Join("|", benchmarks.Keys)}>");
    return 2;
}

return run(args[1..]);
