namespace MergeTrain.Core.Trains;

/// <summary>
/// Rewritten commits (issue 16, ADR 9): with semi-linear history, fast-forward merges or squash, a
/// car holds the MR's commits rebased or squashed, not the MR head. GitLab marks an MR merged when a
/// push to the target contains its head, so before the target is fast-forwarded the rewritten head is
/// published on the MR's source branch (while that still holds the head the car was built from); the
/// train then knows the resulting MR update as its own and pins the rewritten head.
/// </summary>
internal sealed partial class Transition
{
    private static bool NeedsSource(Car car) => car.RewrittenHeadSha is { } rewritten && rewritten != car.HeadSha;

    /// <summary>
    /// Whether the cars <paramref name="first"/> to <paramref name="last"/> have their rewritten commits
    /// on their source branches; asks for the publications still missing (once each) when not.
    /// </summary>
    private bool SourcesReady(int first, int last)
    {
        var ready = true;
        for (var i = first; i <= last; i++)
        {
            var car = _cars[i];
            if (!NeedsSource(car))
            {
                continue;
            }

            ready = false;
            if (!car.PublishingSource)
            {
                _cars[i] = car with { PublishingSource = true, UpdatedAt = _now };
                Audit(car.Iid, car.Status, car.Status, $"pipeline #{car.Pipeline?.Id} passed; publishing the rewritten commits ({Short(car.RewrittenHeadSha!)}) on '{car.SourceBranch}' so that GitLab sees the merge");
                Emit(new PublishRewrittenSource(
                    $"publish-source/{car.Iid}/g{car.Generation}",
                    car.Iid,
                    car.Generation,
                    car.SourceBranch,
                    car.HeadSha,
                    car.RewrittenHeadSha!));
            }
        }

        return ready;
    }

    private void OnSourcePublished(SourcePublished e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { PublishingSource: true } car || car.Generation != e.Generation || car.RewrittenHeadSha != e.RewrittenSha)
        {
            Ignore("a publication of outdated rewritten commits");
            return;
        }

        SourceNowRewritten(index);
    }

    /// <summary>The source branch holds the car's rewritten commits: they are the MR's head from now on.</summary>
    private void SourceNowRewritten(int index)
    {
        var car = _cars[index];
        _cars[index] = car with { HeadSha = car.RewrittenHeadSha!, PublishingSource = false, UpdatedAt = _now };
        Audit(car.Iid, car.Status, car.Status, $"'{car.SourceBranch}' now holds the rewritten commits ({Short(car.RewrittenHeadSha!)})");
    }

    private void OnSourcePublicationRefused(SourcePublicationRefused e)
    {
        var index = FindCar(e.Iid);
        if (index < 0 || _cars[index] is not { PublishingSource: true } car || car.Generation != e.Generation)
        {
            Ignore("a refused publication of outdated rewritten commits");
            return;
        }

        Drop(index, DropReason.SourceUpdated, e.CurrentSha is { } current ? $"new head {Short(current)}" : $"'{car.SourceBranch}' was deleted");
    }
}
