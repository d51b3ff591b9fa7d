namespace MergeTrain.Git;

#pragma warning disable CS1591
public static class PhaseTimer
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<double>> All = new();
    public static T Time<T>(string name, Func<T> f)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        try { return f(); } finally { All.GetOrAdd(name, _ => new()).Add(sw.Elapsed.TotalMilliseconds); }
    }
    public static void Print() { foreach (var (k, v) in All.OrderBy(x => x.Key)) { v.Sort(); Console.WriteLine($"  {k,-20} n={v.Count} sum={v.Sum():F1} med={v[v.Count/2]:F2} p90={v[(int)(v.Count*0.9)]:F2}"); } }
}
