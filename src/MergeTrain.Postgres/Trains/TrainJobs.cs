using System.Text.Json;
using MergeTrain.Postgres.Jobs;

namespace MergeTrain.Postgres.Trains;

/// <summary>The "refresh train" job: one pending per train, whatever woke it.</summary>
public static class TrainJobs
{
    /// <summary>The job kind.</summary>
    public const string RefreshKind = "refresh_train";

    /// <summary>A refresh of train <paramref name="trainId"/>, now or at <paramref name="at"/>.</summary>
    public static NewJob Refresh(long trainId, DateTimeOffset? at = null) =>
        new(RefreshKind, $$"""{"train_id":{{trainId}}}""")
        {
            UniqueKey = $"{RefreshKind}:{trainId}",
            ScheduledAt = at,
            MaxAttempts = 25,
        };

    /// <summary>The train a refresh job is for.</summary>
    public static long TrainIdOf(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var args = JsonDocument.Parse(job.Args);
        return args.RootElement.GetProperty("train_id").GetInt64();
    }
}
