namespace MergeTrain.Core.Trains;

/// <summary>
/// Merging immediately without restarting the train (issue 16, <see cref="TrainSettings.SkipTrainAllowed"/>):
/// the cars whose pipelines were started keep them (<see cref="Car.Stale"/>), so an MR that fails is
/// still found early and CI already spent is not thrown away at once. None of their commits can reach
/// the target, which now holds the immediate merge: each car is rebuilt on the target head, and
/// tested again, only when it reaches the front. Nothing is built behind a kept car meanwhile.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>Keeps the pipelines of every car but the immediate merge at <paramref name="mergeIndex"/>.</summary>
    private void KeepPipelinesBehind(int mergeIndex)
    {
        for (var i = 0; i < _cars.Count; i++)
        {
            var car = _cars[i];
            // A batch's pipeline tests several MRs at once: kept, its failure could not be pinned on one.
            if (i == mergeIndex || car.MergeImmediately || car.PendingFastForwardSha is not null || car.Stale || !HasPipeline(car) || InBatch(i))
            {
                continue;
            }

            Update(i, car with { Stale = true }, $"kept with its pipeline while !{_cars[mergeIndex].Iid} is merged immediately; rebuilt when it reaches the front");
        }
    }

    /// <summary>Throws away the kept cars from <paramref name="fromIndex"/> on: what their pipelines tested no longer says anything about them.</summary>
    private void InvalidateStale(int fromIndex, string reason)
    {
        for (var i = fromIndex; i < _cars.Count; i++)
        {
            if (_cars[i].Stale)
            {
                Invalidate(i, reason);
            }
        }
    }

    /// <summary>Whether the car's pipeline was asked for and has not been thrown away: GitLab's <c>fresh</c> car.</summary>
    private static bool HasPipeline(Car car) =>
        car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning or CarStage.PipelinePassed
            or CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending;

    /// <summary>Whether the car's failure is being retried, named, checked or held, and not yet judged as its own.</summary>
    private static bool IsBeingJudged(Car car) =>
        car.Stage is CarStage.RetryingPipeline or CarStage.ListingFailedJobs or CarStage.CheckingBase or CarStage.FailurePending
        || (car.Attempt > 0 && car.Stage is CarStage.StartingPipeline or CarStage.PipelineRunning);
}
