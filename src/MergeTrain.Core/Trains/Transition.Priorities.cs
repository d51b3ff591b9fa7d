namespace MergeTrain.Core.Trains;

/// <summary>
/// Priorities (a MergeTrain extension, issue 12): a high-priority car is placed ahead of the normal
/// cars that have not started merging. Only the cars behind its place are rebuilt: the cars ahead
/// keep their commits and pipelines, since their bases do not change.
/// </summary>
internal sealed partial class Transition
{
    /// <summary>
    /// Where a car of <paramref name="priority"/> goes among the first <paramref name="limit"/> cars: a
    /// normal one at the end; a high one right behind the last of them that is high-priority, has
    /// started merging or is among the passed cars at the front, so it never overtakes an equal or
    /// a car whose merge may already be under way.
    /// </summary>
    private int PlacementOf(CarPriority priority, int limit)
    {
        if (priority == CarPriority.Normal)
        {
            return limit;
        }

        // The cars at the front whose pipelines passed merge next, one after the other, as soon as
        // the train runs (a paused train requests no fast-forward): overtaking them would only
        // throw their passed pipelines away.
        var index = 0;
        var passedFront = true;
        for (var i = 0; i < limit; i++)
        {
            passedFront = passedFront && _cars[i].Stage == CarStage.PipelinePassed;
            if (_cars[i].Priority >= priority || HasStartedMerging(_cars[i]) || passedFront)
            {
                index = i + 1;
            }
        }

        return index;
    }

    /// <summary>
    /// A car that is never overtaken: its fast-forward is requested and not answered (it may land any
    /// moment), or an operator asked to merge it immediately. GitLab never reorders a merging car either.
    /// </summary>
    private static bool HasStartedMerging(Car car) =>
        car.PendingFastForwardSha is not null || car.MergeImmediately || car.Stage == CarStage.MergingImmediately;

    /// <summary>An add of an MR already on the train, asking for a higher priority than its car has.</summary>
    private bool CanRaisePriority(MergeRequestAdded e)
    {
        var index = FindCar(e.MergeRequest.Iid);
        return index >= 0
            && e.Priority > _cars[index].Priority
            && (e.PinnedSha is null || e.PinnedSha == _cars[index].HeadSha)
            && e.MergeRequest.HeadSha == _cars[index].HeadSha;
    }

    /// <summary>
    /// Raises a car's priority and moves it forward to where a new car of that priority would go, if
    /// that is ahead of it. A car that has started merging stays where it is.
    /// </summary>
    private void RaisePriority(int index, CarPriority priority)
    {
        var car = _cars[index];
        // A set-aside car goes back where its priority says once its search clears it.
        var target = HasStartedMerging(car) || car.SetAside is not null ? index : Math.Min(index, PlacementOf(priority, index));
        var raised = car with { Priority = priority, UpdatedAt = _now };
        _cars.RemoveAt(index);
        _cars.Insert(target, raised);
        var moved = target == index ? $"keeps position {index + 1}" : $"moved from position {index + 1} to position {target + 1}";
        Audit(car.Iid, car.Status, car.Status, $"priority raised to {priority.ToName()} by {_actor}: {moved}");
        Note(car.Iid, TrainNotes.PriorityRaised(index + 1, target + 1));
    }
}
