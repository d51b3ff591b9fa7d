namespace MergeTrain.Core.Trains;

/// <summary>
/// Pipeline time between two states of a train: what finished (spent), and what was cancelled or
/// thrown away (wasted: a pipeline still running when its car was rebuilt or dropped, one that
/// ended cancelled, or a passed pipeline whose car was rebuilt before it could merge). A pipeline
/// retried in place counts each run once: its failed run when it failed, the retry from its start.
/// </summary>
public static class PipelineAccounting
{
    /// <summary>Seconds spent and wasted by the change from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static (double Spent, double Wasted) Compare(TrainState before, TrainState after, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var afterPipelines = new Dictionary<long, (PipelineSnapshot Pipeline, Car Car)>();
        foreach (var car in after.Cars.Concat(after.Finished))
        {
            if (car.Pipeline is { } pipeline)
            {
                afterPipelines[pipeline.Id] = (pipeline, car);
            }
        }

        double spent = 0, wasted = 0;
        foreach (var car in before.Cars)
        {
            if (car.Pipeline is not { } was)
            {
                continue;
            }

            var found = afterPipelines.TryGetValue(was.Id, out var later);
            if (!was.Status.IsFinished())
            {
                if (!found)
                {
                    // Replaced while running: the car was rebuilt or dropped and the pipeline cancelled.
                    var seconds = Seconds(was.RunStartedAt, now);
                    spent += seconds;
                    wasted += seconds;
                }
                else if (later.Pipeline.Status.IsFinished())
                {
                    var seconds = Seconds(later.Pipeline.RunStartedAt, later.Pipeline.UpdatedAt);
                    spent += seconds;
                    if (later.Pipeline.Status == PipelineStatus.Canceled)
                    {
                        wasted += seconds;
                    }
                }
            }
            else if (was.Status == PipelineStatus.Success && !found)
            {
                // It passed, then the car was rebuilt before merging: its result is thrown away.
                wasted += Seconds(was.RunStartedAt, was.UpdatedAt);
            }
        }

        return (spent, wasted);
    }

    private static double Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).TotalSeconds);
}
