using System.Globalization;
using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>A period the Charts page can show: how many buckets of what size, and how their times are labelled.</summary>
internal sealed record ChartRange(string Key, string Name, int Buckets, TimeSpan Bucket, string BucketName, string LabelFormat)
{
    /// <summary>The ranges offered, the default first.</summary>
    public static IReadOnlyList<ChartRange> All { get; } =
    [
        new("day", "Last 24 hours", 24, TimeSpan.FromHours(1), "hour", "HH:00"),
        new("hour", "Last hour", 12, TimeSpan.FromMinutes(5), "5 minutes", "HH:mm"),
        new("week", "Last 7 days", 7, TimeSpan.FromDays(1), "day", "ddd dd"),
        new("month", "Last 30 days", 30, TimeSpan.FromDays(1), "day", "MM-dd"),
    ];

    /// <summary>The range named <paramref name="key"/>, or the default one.</summary>
    public static ChartRange Named(string? key) => All.FirstOrDefault(range => range.Key == key) ?? All[0];

    /// <summary>The buckets ending with the one that holds <paramref name="now"/>, aligned on whole buckets since the epoch (whole UTC hours, days).</summary>
    public ChartWindow WindowAt(DateTimeOffset now)
    {
        var ticks = Bucket.Ticks;
        var until = new DateTimeOffset(((now.UtcTicks / ticks) + 1) * ticks, TimeSpan.Zero);
        return new ChartWindow(until - (Bucket * Buckets), until, Bucket);
    }

    /// <summary>The start of every bucket of <paramref name="window"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Starts(ChartWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return [.. Enumerable.Range(0, Buckets).Select(i => window.Since + (Bucket * i))];
    }

    /// <summary>A bucket's label on the time axis.</summary>
    public string Label(DateTimeOffset start) => start.UtcDateTime.ToString(LabelFormat, CultureInfo.InvariantCulture);

    /// <summary>A bucket's full name, for tooltips.</summary>
    public string Describe(DateTimeOffset start) => Bucket < TimeSpan.FromDays(1)
        ? $"{start.UtcDateTime:yyyy-MM-dd HH:mm}–{start.Add(Bucket).UtcDateTime:HH:mm} UTC"
        : $"{start.UtcDateTime:yyyy-MM-dd} UTC";
}
