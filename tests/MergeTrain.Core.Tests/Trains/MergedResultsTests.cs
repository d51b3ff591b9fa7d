using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>SPEC section 4: merged results pipelines for MRs not on a train.</summary>
public class MergedResultsTests
{
    [Test]
    public void New_commits_on_an_MR_build_its_merged_result_and_start_a_pipeline()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e2"), "e1", "carol"));

        train.Effects.OfType<StartMergedResultPipeline>().Select(start => start.Sha).ShouldBe(["merge(t0,e1)", "merge(t0,e2)"]);
        var first = train.Effects.OfType<StartMergedResultPipeline>().First();
        train.Pipelines.Values.Single(p => p.Sha == "merge(t0,e1)").Status.ShouldBe(PipelineStatus.Canceled);
        train.State.MergedResults.Single().Pipeline!.Sha.ShouldBe("merge(t0,e2)");
        first.Ref.ShouldBe("merged-results/5");
    }

    [Test]
    public void Passing_merged_results_pipeline_sets_a_success_status_without_a_note()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));

        train.FinishPipeline(train.State.MergedResults.Single().Pipeline!.Id, PipelineStatus.Success);

        train.Statuses.Last().State.ShouldBe(CommitState.Success);
        train.Notes.ShouldBeEmpty();
    }

    [Test]
    public void Target_move_rebuilds_merged_results_without_new_pipelines()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));
        var pipeline = train.State.MergedResults.Single().Pipeline!.Id;

        train.PushToTarget("t1");

        train.Effects.OfType<BuildMergedResult>().Last().BaseSha.ShouldBe("t1");
        train.Effects.OfType<StartMergedResultPipeline>().Count().ShouldBe(1);
        train.State.MergedResults.Single().ShouldSatisfyAllConditions(
            entry => entry.CommitSha.ShouldBe("merge(t1,e1)"),
            entry => entry.Pipeline!.Id.ShouldBe(pipeline));
    }

    [Test]
    public void Conflict_of_a_merged_result_is_reported_once()
    {
        var train = new TrainHarness();
        train.Conflicts["e1"] = ["a.txt"];
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));
        train.PushToTarget("t1");
        train.PushToTarget("t2");

        train.Notes.Single().Body.ShouldContain("`a.txt`");
        train.Effects.OfType<StartMergedResultPipeline>().ShouldBeEmpty();
    }

    [Test]
    public void Merged_results_pipelines_can_be_turned_off()
    {
        var train = new TrainHarness(new TrainSettings { MergedResultsPipelines = false });

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol")).Effects.ShouldBeEmpty();
    }

    [Test]
    public void MR_joining_the_train_leaves_merged_results_and_its_merge_ref_holds_the_car_commit()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));
        var pipeline = train.State.MergedResults.Single().Pipeline!.Id;

        train.Add(5, "e1");

        train.State.MergedResults.ShouldBeEmpty();
        train.Pipelines[pipeline].CancelledByTrain.ShouldBeTrue();
        train.DeletedBranches.ShouldContain("merged-results/5");
        train.Effects.OfType<BuildCar>().Single().MergeRef.ShouldBe("refs/merge-requests/5/merge");
    }

    [Test]
    public void Closed_MR_loses_its_merged_result()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));

        train.Send(new MergeRequestClosed(5, "carol"));

        train.State.MergedResults.ShouldBeEmpty();
        train.RunningPipelines().ShouldBeEmpty();
    }
}
