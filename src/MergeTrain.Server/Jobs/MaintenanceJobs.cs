using Hangfire;
using MergeTrain.Application.Jobs;
using MergeTrain.Application.Pipelines;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// MergeTrain's recurring jobs, on Hangfire's Recurring Jobs page. Hangfire stores this type's and
/// these methods' names, and <see cref="PollPipelinesId"/>, <see cref="PollRunnerQueuesId"/> and <see cref="SweepId"/> as the
/// recurring jobs' ids: renaming one strands what is stored. A failed round is not retried: the
/// next round comes soon anyway, and the failure stays on the Failed page for an operator.
/// <see cref="PruneId"/> is stored likewise.
/// That is why the class stays in the host, in this namespace and assembly, while the work it
/// runs lives in MergeTrain.Application.
/// </summary>
public sealed class MaintenanceJobs(PipelinePoller poller, RunnerQueuePoller runners, WorkSweeper sweeper, HistoryPruner pruner)
{
    /// <summary>The recurring job id of <see cref="PollPipelines"/>.</summary>
    public const string PollPipelinesId = "poll-pipelines";

    /// <summary>The recurring job id of <see cref="PollRunnerQueues"/>.</summary>
    public const string PollRunnerQueuesId = "poll-runner-queues";

    /// <summary>The recurring job id of <see cref="Sweep"/>.</summary>
    public const string SweepId = "sweep-work";

    /// <summary>The recurring job id of <see cref="Prune"/>.</summary>
    public const string PruneId = "prune-history";

    /// <summary>Asks GitLab about pipelines whose hooks have not come (the fallback for lost hooks).</summary>
    [JobDisplayName("Poll quiet pipelines")]
    [AutomaticRetry(Attempts = 0)]
    public Task PollPipelines(CancellationToken cancellationToken) => poller.PollAsync(cancellationToken);

    /// <summary>Asks GitLab how many jobs wait for a runner, for the projects whose window follows the runners.</summary>
    [JobDisplayName("Poll runner queues")]
    [AutomaticRetry(Attempts = 0)]
    public Task PollRunnerQueues(CancellationToken cancellationToken) => runners.PollAsync(cancellationToken);

    /// <summary>Enqueues the work a crash left without a job: requests, due timers, waiting webhook deliveries.</summary>
    [JobDisplayName("Sweep for work left without a job")]
    [AutomaticRetry(Attempts = 0)]
    public Task Sweep(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);

    /// <summary>Deletes stored history past its retention.</summary>
    [JobDisplayName("Prune history past its retention")]
    [AutomaticRetry(Attempts = 0)]
    public Task Prune(CancellationToken cancellationToken) => pruner.PruneAsync(cancellationToken);
}
