namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>The unit that keeps a chart's durations readable: seconds for seconds, minutes for minutes, hours beyond.</summary>
internal sealed record TimeUnit(string Name, double Seconds)
{
    /// <summary>The unit for durations up to <paramref name="maxSeconds"/>.</summary>
    public static TimeUnit For(double maxSeconds) => maxSeconds switch
    {
        < 120 => new TimeUnit("seconds", 1),
        < 7200 => new TimeUnit("minutes", 60),
        _ => new TimeUnit("hours", 3600),
    };

    /// <summary><paramref name="seconds"/> in this unit.</summary>
    public double Of(double seconds) => seconds / Seconds;
}
