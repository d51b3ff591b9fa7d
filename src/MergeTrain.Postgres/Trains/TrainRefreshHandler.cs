using MergeTrain.Postgres.Jobs;

namespace MergeTrain.Postgres.Trains;

/// <summary>Runs "refresh train" jobs through the <see cref="TrainProcessor"/>.</summary>
public sealed class TrainRefreshHandler(TrainProcessor processor) : IJobHandler
{
    /// <inheritdoc/>
    public string Kind => TrainJobs.RefreshKind;

    /// <inheritdoc/>
    public Task HandleAsync(Job job, CancellationToken cancellationToken) =>
        processor.RefreshAsync(TrainJobs.TrainIdOf(job), job, cancellationToken);
}
