using MergeTrain.Core.Trains;

namespace MergeTrain.Simulator;

/// <summary>How an urgent MR gets ahead of the queue.</summary>
internal enum UrgentHandling
{
    /// <summary>No MR is urgent (the parallelism table).</summary>
    None,

    /// <summary>GitLab's only way: "merge immediately", which skips the MR's pipeline and restarts every car.</summary>
    MergeImmediately,

    /// <summary>MergeTrain's priorities: added with <see cref="CarPriority.High"/>, only the cars behind its place are rebuilt.</summary>
    HighPriority,
}

/// <summary>A train's settings and how its team treats urgent MRs: one column group of the comparison.</summary>
internal sealed record Policy(string Name, TrainSettings Settings, UrgentHandling Urgent);

/// <summary>The policies the simulator compares: GitLab's, each of MergeTrain's alone, and all together.</summary>
internal static class Policies
{
    /// <summary>The pending-failure depth the comparison uses (see the README for why this one).</summary>
    public const int DefaultPendingFailureDepth = 1;

    private static readonly TrainSettings GitLabSettings = new()
    {
        MaxParallelPipelines = 20,
        FailedPipelineRetries = 0,
        PendingFailureDepth = 0,
        MergedResultsPipelines = false,
    };

    /// <summary>GitLab's train with <paramref name="parallel"/> pipelines and no urgent MRs, for the parallelism table.</summary>
    public static Policy Parallelism(int parallel) => new($"{parallel} parallel", GitLabSettings with { MaxParallelPipelines = parallel }, UrgentHandling.None);

    /// <summary>The later-green policy alone and with the others, at one depth: for choosing the depth.</summary>
    public static IEnumerable<Policy> LaterGreen(int pendingFailureDepth) =>
        Compared(pendingFailureDepth).Where(policy => policy.Settings.PendingFailureDepth > 0);

    /// <summary>The CI budget the comparison gives speculation: wasted pipeline minutes an hour.</summary>
    public const int DefaultWastedMinutesPerHour = 120;

    /// <summary>
    /// The window's floor, and what still runs while the budget is spent: 12 MRs an hour with
    /// 30-minute pipelines need 6 pipelines at once just to keep up.
    /// </summary>
    public const int Floor = 6;

    /// <summary>The largest batch the comparison lets the train form.</summary>
    public const int DefaultBatchSize = 4;

    /// <summary>How many pipelines the batching policy that always batches runs at once: four batches of four cover 16 MRs.</summary>
    public const int BatchedPipelines = 4;

    /// <summary>
    /// The batching policy between the two: batches of three or four on seven pipelines, with one
    /// retry for the MR a search finds. The best of a sweep for time to merge at under half of
    /// GitLab's pipeline minutes (see the README).
    /// </summary>
    public const int BalancedPipelines = 7;

    /// <summary>GitLab's policy, then each new policy alone, then all of them together.</summary>
    public static IReadOnlyList<Policy> Compared(int pendingFailureDepth) =>
    [
        new("GitLab", GitLabSettings, UrgentHandling.MergeImmediately),
        new("retry", GitLabSettings with { FailedPipelineRetries = 1 }, UrgentHandling.MergeImmediately),
        new($"later green (depth {pendingFailureDepth})", GitLabSettings with { PendingFailureDepth = pendingFailureDepth }, UrgentHandling.MergeImmediately),
        new("priorities", GitLabSettings, UrgentHandling.HighPriority),
        new($"all together (depth {pendingFailureDepth})", GitLabSettings with { FailedPipelineRetries = 1, PendingFailureDepth = pendingFailureDepth }, UrgentHandling.HighPriority),
        new($"adaptive window ({Floor}-20)", GitLabSettings with { AdaptiveWindow = true, MinParallelPipelines = Floor }, UrgentHandling.MergeImmediately),
        new($"CI budget ({DefaultWastedMinutesPerHour} min/h)", GitLabSettings with { WastedMinutesPerHour = DefaultWastedMinutesPerHour, MinParallelPipelines = Floor }, UrgentHandling.MergeImmediately),
        new($"all, window and budget (depth {pendingFailureDepth})", GitLabSettings with
        {
            FailedPipelineRetries = 1,
            PendingFailureDepth = pendingFailureDepth,
            AdaptiveWindow = true,
            MinParallelPipelines = Floor,
            WastedMinutesPerHour = DefaultWastedMinutesPerHour,
        }, UrgentHandling.HighPriority),
        new("window follows runners", GitLabSettings with { WindowFollowsRunners = true }, UrgentHandling.MergeImmediately),
        new($"batches (1-{DefaultBatchSize})", GitLabSettings with { BatchSize = DefaultBatchSize }, UrgentHandling.MergeImmediately),
        new($"batches (1-{DefaultBatchSize}), window follows runners", GitLabSettings with
        {
            BatchSize = DefaultBatchSize,
            WindowFollowsRunners = true,
        }, UrgentHandling.MergeImmediately),
        new($"batches ({DefaultBatchSize}, {BatchedPipelines} pipelines)", GitLabSettings with
        {
            BatchSize = DefaultBatchSize,
            MinBatchSize = DefaultBatchSize,
            MaxParallelPipelines = BatchedPipelines,
        }, UrgentHandling.MergeImmediately),
        new($"batches (3-{DefaultBatchSize}, {BalancedPipelines} pipelines, retry)", GitLabSettings with
        {
            BatchSize = DefaultBatchSize,
            MinBatchSize = DefaultBatchSize - 1,
            MaxParallelPipelines = BalancedPipelines,
            FailedPipelineRetries = 1,
        }, UrgentHandling.MergeImmediately),
    ];
}
