using MergeTrain.Postgres.Retention;

namespace MergeTrain.Application.Jobs;

/// <summary>The <c>MergeTrain:Retention</c> section: how long stored history is kept before the prune job deletes it.</summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MergeTrain:Retention";

    /// <summary>Decided inbox events.</summary>
    public TimeSpan Events { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Performed effects.</summary>
    public TimeSpan Effects { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Processed (or refused) webhook deliveries, bodies included; also how long a redelivery is recognised.</summary>
    public TimeSpan Deliveries { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Finished or abandoned pipelines (hook routing only needs recent ones).</summary>
    public TimeSpan Pipelines { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The audit log, which the dashboard's history and charts read.</summary>
    public TimeSpan Audit { get; set; } = TimeSpan.FromDays(180);

    /// <summary>How often the prune job runs.</summary>
    public TimeSpan PruneEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The retention of <paramref name="history"/>.</summary>
    public TimeSpan For(History history) => history switch
    {
        History.Events => Events,
        History.Effects => Effects,
        History.Deliveries => Deliveries,
        History.Pipelines => Pipelines,
        History.Audit => Audit,
        _ => throw new ArgumentOutOfRangeException(nameof(history), history, null),
    };
}
