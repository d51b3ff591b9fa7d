using Hangfire;
using MergeTrain.Application.Trains;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// The Hangfire jobs of trains. Hangfire stores this type's and these methods' names (and their
/// parameters) with every queued job: renaming or re-signing one strands the jobs already queued.
/// Add a new method instead, and keep the old one until no job of it can be left.
/// That is why the class stays in the host, in this namespace and assembly, while the work it
/// runs lives in MergeTrain.Application.
/// </summary>
public sealed class TrainJobs(TrainProcessor processor)
{
    /// <summary>Refreshes train <paramref name="trainId"/> for as long as it is asked to; leaves at once if another run holds it.</summary>
    [JobDisplayName("Refresh train {0}")]
    public Task Refresh(long trainId, CancellationToken cancellationToken) => processor.RunAsync(trainId, cancellationToken);

    /// <summary>The engine's timer of train <paramref name="trainId"/> (pipeline timeouts): asks for a refresh and runs it.</summary>
    [JobDisplayName("Timer of train {0}")]
    public Task Timer(long trainId, CancellationToken cancellationToken) => processor.RunTimerAsync(trainId, cancellationToken);
}
