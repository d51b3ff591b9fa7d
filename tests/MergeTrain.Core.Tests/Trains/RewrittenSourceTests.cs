using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>Issue 16: cars whose commits were rebased or squashed publish them on the source branch before the target moves.</summary>
public class RewrittenSourceTests
{
    [Test]
    public void A_rewritten_car_publishes_its_commits_on_the_source_branch_then_fast_forwards_to_exactly_the_tested_commit()
    {
        var train = new TrainHarness { Rebases = true };
        train.Add(1, "a");
        var tested = train.Car(1).CommitSha!;

        train.FinishPipeline(1, PipelineStatus.Success);

        var publish = train.Effects.OfType<PublishRewrittenSource>().ShouldHaveSingleItem();
        (publish.SourceBranch, publish.ExpectedSha, publish.RewrittenSha).ShouldBe(("feature-1", "a", tested));
        train.Effects.IndexOf(publish).ShouldBeLessThan(train.Effects.FindIndex(effect => effect is FastForwardTarget));
        train.SourceBranches["feature-1"].ShouldBe(tested);
        train.Target.ShouldBe(tested);
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void The_trains_own_push_to_the_source_branch_is_not_a_source_update_even_when_its_hook_comes_first()
    {
        var train = new TrainHarness { Rebases = true, AutoRun = false };
        train.Add(1, "a");
        train.Run();
        train.FinishPipeline(1, PipelineStatus.Success);
        var publish = train.Effects.OfType<PublishRewrittenSource>().ShouldHaveSingleItem();

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, publish.RewrittenSha), "a", "merge-bot"));

        train.Car(1).HeadSha.ShouldBe(publish.RewrittenSha);
        train.Car(1).PendingFastForwardSha.ShouldBe(publish.RewrittenSha);
        train.Send(new SourcePublished(1, publish.Generation, publish.RewrittenSha)).Ignored.ShouldNotBeNull();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, publish.RewrittenSha), "a", "merge-bot")).Ignored.ShouldNotBeNull();
        train.Run();
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void A_push_by_the_author_before_the_publication_wins_and_the_car_is_dropped()
    {
        var train = new TrainHarness { Rebases = true };
        train.Add(1, "a");
        train.SourceBranches["feature-1"] = "a2";

        train.FinishPipeline(1, PipelineStatus.Success);

        train.FinishedCar(1).DropReason.ShouldBe(DropReason.SourceUpdated);
        train.Effects.OfType<FastForwardTarget>().ShouldBeEmpty();
        train.Target.ShouldBe("t0");
    }

    [Test]
    public void After_the_publication_the_rewritten_head_is_the_mrs_head_and_a_rebuild_starts_from_it()
    {
        var train = new TrainHarness { Rebases = true, AutoRun = false };
        train.Add(1, "a");
        train.Run();
        train.FinishPipeline(1, PipelineStatus.Success);

        // Someone pushes to the target before the fast-forward (its hook not yet here): it is rejected.
        train.MoveTargetUnseen("t1");
        train.Run();

        var rewritten = "rebase(t0,a)";
        train.Car(1).HeadSha.ShouldBe(rewritten);
        train.SourceBranches["feature-1"].ShouldBe(rewritten);

        train.Effects.OfType<BuildCar>().Last().HeadSha.ShouldBe(rewritten);
        train.Car(1).BaseSha.ShouldBe("t1");
    }

    [Test]
    public void A_build_carries_the_target_head_the_squash_wish_and_the_squash_message()
    {
        var train = new TrainHarness();
        train.Add(1, "a");
        train.Send(new MergeRequestAdded(TrainHarness.Mr(2, "b"), null, "alice") { Squash = true });

        var build = train.Effects.OfType<BuildCar>().Last();
        (build.Iid, build.BaseSha, build.UpstreamSha, build.Squash, build.SquashMessage).ShouldBe((2, train.Car(1).CommitSha, "t0", true, "Change 2"));
        train.Effects.OfType<BuildCar>().First().Squash.ShouldBeNull();
    }
}
