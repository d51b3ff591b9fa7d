using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>SPEC section 1, the seed scenarios, step by step as the spec lists them.</summary>
public class SeedScenarioTests
{
    [Test]
    public void Scenario_A_merged_results_pipeline_catches_a_stale_MR()
    {
        var train = new TrainHarness(targetHead: "t0");

        // main gains a commit that adds a lint rule.
        train.PushToTarget("t1-lint-rule");

        // MR-1's source branch was cut before that; it is opened (its own pipeline passed elsewhere).
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(1, "mr1-head"), null, "carol"));

        // MergeTrain builds refs/merge-requests/1/merge = merge(target head, MR-1 head) ...
        var build = train.Effects.OfType<BuildMergedResult>().Single();
        build.MergeRef.ShouldBe("refs/merge-requests/1/merge");
        build.BaseSha.ShouldBe("t1-lint-rule");
        build.HeadSha.ShouldBe("mr1-head");
        build.Branch.ShouldBe("merged-results/1");

        // ... and a pipeline runs on that commit, which fails.
        var start = train.Effects.OfType<StartMergedResultPipeline>().Single();
        start.Sha.ShouldBe("merge(t1-lint-rule,mr1-head)");
        var pipeline = train.State.MergedResults.Single().Pipeline!;
        train.FinishPipeline(pipeline.Id, PipelineStatus.Failed);

        // The MR shows the failed pipeline: note and commit status.
        train.Notes.ShouldContain(note => note.Iid == 1 && note.Body.Contains($"#{pipeline.Id}") && note.Body.Contains("failed"));
        train.Statuses.Last().ShouldSatisfyAllConditions(
            status => status.Sha.ShouldBe("mr1-head"),
            status => status.State.ShouldBe(CommitState.Failed),
            status => status.TargetUrl.ShouldBe(pipeline.WebUrl));

        // Nothing is merged; the target branch's history is untouched.
        train.Effects.OfType<FastForwardTarget>().ShouldBeEmpty();
        train.Effects.OfType<MergeImmediately>().ShouldBeEmpty();
        train.Target.ShouldBe("t1-lint-rule");
        train.State.TargetHeadSha.ShouldBe("t1-lint-rule");
    }

    [Test]
    public void Scenario_B_merge_train_prevents_the_race()
    {
        var train = new TrainHarness(targetHead: "t0");

        // 1. car 1 = merge(target head, MR-1 head); its pipeline starts.
        train.Add(1, "mr1");
        train.Car(1).CommitSha.ShouldBe("merge(t0,mr1)");
        var car1Pipeline = train.PipelineOf(1);
        train.Pipelines[car1Pipeline].Sha.ShouldBe("merge(t0,mr1)");

        // 2. car 2 = merge(car 1 commit, MR-2 head); its pipeline starts without waiting for car 1's.
        train.Add(2, "mr2");
        train.Car(2).CommitSha.ShouldBe("merge(merge(t0,mr1),mr2)");
        train.Car(2).Status.ShouldBe(CarStatus.Fresh);
        train.Pipelines[car1Pipeline].Status.ShouldBe(PipelineStatus.Running);
        train.RunningPipelines().Count().ShouldBe(2);

        // 3. car 1 passes: the target is fast-forwarded to car 1's commit; MR-1 is merged.
        train.FinishPipeline(1, PipelineStatus.Success);
        train.Target.ShouldBe("merge(t0,mr1)");
        train.FinishedCar(1).Status.ShouldBe(CarStatus.Merged);
        train.Notes.ShouldContain((1, $"merged by the merge train (pipeline #{car1Pipeline})"));

        // 4. car 2 fails: MR-2 is dropped with a note giving the reason; the target never sees it.
        train.FinishPipeline(2, PipelineStatus.Failed);
        train.FinishedCar(2).ShouldSatisfyAllConditions(
            car => car.Status.ShouldBe(CarStatus.Dropped),
            car => car.DropReason.ShouldBe(DropReason.PipelineFailed));
        train.Notes.ShouldContain(note => note.Iid == 2 && note.Body.StartsWith("removed this merge request from the merge train because the pipeline did not succeed", StringComparison.Ordinal));
        train.Target.ShouldBe("merge(t0,mr1)");
        train.State.Cars.ShouldBeEmpty();

        // 5. MR-2 is fixed and added again: it becomes car 1 of the train and merges when green.
        train.Add(2, "mr2-fixed");
        train.Notes.Last().ShouldBe((2, "started a merge train"));
        train.State.Cars.Single().Iid.ShouldBe(2);
        train.Car(2).CommitSha.ShouldBe("merge(merge(t0,mr1),mr2-fixed)");
        train.FinishPipeline(2, PipelineStatus.Success);
        train.Target.ShouldBe("merge(merge(t0,mr1),mr2-fixed)");
        train.FinishedCar(2).Status.ShouldBe(CarStatus.Merged);
    }

    [Test]
    public void Scenario_C_reconstruction_after_a_failure_in_the_middle()
    {
        var train = new TrainHarness(targetHead: "t");
        train.Add(1, "A");
        train.Add(2, "B");
        train.Add(3, "C");
        train.Add(4, "D");
        var a = train.PipelineOf(1);
        var oldC = train.PipelineOf(3);
        var oldD = train.PipelineOf(4);

        // B's pipeline fails.
        train.FinishPipeline(2, PipelineStatus.Failed);

        // A keeps running untouched.
        train.PipelineOf(1).ShouldBe(a);
        train.Pipelines[a].Status.ShouldBe(PipelineStatus.Running);
        train.Car(1).CommitSha.ShouldBe("merge(t,A)");

        // B is dropped.
        train.FinishedCar(2).DropReason.ShouldBe(DropReason.PipelineFailed);

        // C and D are rebuilt as target+A+C and target+A+C+D ...
        train.Car(3).CommitSha.ShouldBe("merge(merge(t,A),C)");
        train.Car(4).CommitSha.ShouldBe("merge(merge(merge(t,A),C),D)");

        // ... their old pipelines cancelled and new ones started.
        train.Pipelines[oldC].CancelledByTrain.ShouldBeTrue();
        train.Pipelines[oldD].CancelledByTrain.ShouldBeTrue();
        train.PipelineOf(3).ShouldNotBe(oldC);
        train.PipelineOf(4).ShouldNotBe(oldD);
        train.Pipelines[train.PipelineOf(3)].Sha.ShouldBe("merge(merge(t,A),C)");
        train.Pipelines[train.PipelineOf(4)].Sha.ShouldBe("merge(merge(merge(t,A),C),D)");
        train.RunningPipelines().Count().ShouldBe(3);
    }
}
