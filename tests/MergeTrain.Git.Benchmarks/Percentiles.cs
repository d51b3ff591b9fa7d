/// <summary>Nearest-rank percentiles of timings, the same for both programs of this project.</summary>
internal static class Percentiles
{
    public static double Median(IReadOnlyCollection<double> values) => Of(values, 0.5);

    public static double Of(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
