using System.Globalization;

namespace MergeTrain.Server.Jobs;

/// <summary>Hangfire cron expressions (six fields, seconds first) for an interval given as a time span.</summary>
public static class CronInterval
{
    /// <summary>
    /// The cron that fires every <paramref name="interval"/>: whole seconds under a minute, whole
    /// minutes under an hour, whole hours beyond; an interval that does not divide its unit evenly
    /// fires at the unit's boundary as well (cron counts from the top of the minute or hour).
    /// </summary>
    public static string Every(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        if (interval < TimeSpan.FromMinutes(1))
        {
            return $"*/{Whole(interval.TotalSeconds)} * * * * *";
        }

        if (interval < TimeSpan.FromHours(1))
        {
            return $"0 */{Whole(interval.TotalMinutes)} * * * *";
        }

        return interval < TimeSpan.FromDays(1) ? $"0 0 */{Whole(interval.TotalHours)} * * *" : "0 0 0 * * *";
    }

    private static string Whole(double units) => ((int)Math.Round(units)).ToString(CultureInfo.InvariantCulture);
}
