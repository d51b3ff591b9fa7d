using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>The API's <c>auto_merge</c>: join the train once the MR's own merged results pipeline passes (SPEC section 6).</summary>
public class AutoMergeTests
{
    [Test]
    public void An_MR_set_to_auto_merge_waits_for_its_merged_results_pipeline_and_joins_when_it_passes()
    {
        var train = new TrainHarness();

        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), null, "dave"));

        train.State.Cars.ShouldBeEmpty("it waits for its pipeline");
        train.Notes.ShouldContain((5, TrainNotes.AutoMergeSet));
        var pipeline = train.State.MergedResults.Single().Pipeline!.Id;

        train.FinishPipeline(pipeline, PipelineStatus.Success);

        var car = train.Car(5);
        car.AddedBy.ShouldBe("dave");
        car.HeadSha.ShouldBe("e1");
        train.State.MergedResults.ShouldBeEmpty();
        train.Notes.ShouldContain((5, TrainNotes.StartedTrain));
    }

    [Test]
    public void A_failing_merged_results_pipeline_cancels_the_auto_merge()
    {
        var train = new TrainHarness();
        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), null, "dave"));

        train.FinishPipeline(train.State.MergedResults.Single().Pipeline!.Id, PipelineStatus.Failed);

        train.State.Cars.ShouldBeEmpty();
        train.State.MergedResults.Single().AutoMergeBy.ShouldBeNull();
    }

    [Test]
    public void New_commits_keep_the_auto_merge_and_wait_for_the_new_pipeline()
    {
        var train = new TrainHarness();
        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), null, "dave"));
        var oldPipeline = train.State.MergedResults.Single().Pipeline!.Id;

        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e2"), "e1", "dave"));
        train.FinishPipeline(oldPipeline, PipelineStatus.Success);

        train.State.Cars.ShouldBeEmpty("the old head's result is not trusted");
        train.FinishPipeline(train.State.MergedResults.Single().Pipeline!.Id, PipelineStatus.Success);
        train.Car(5).HeadSha.ShouldBe("e2");
    }

    [Test]
    public void An_MR_whose_merged_result_already_passed_joins_at_once()
    {
        var train = new TrainHarness();
        train.Send(new MergeRequestUpdated(TrainHarness.Mr(5, "e1"), null, "carol"));
        train.FinishPipeline(train.State.MergedResults.Single().Pipeline!.Id, PipelineStatus.Success);

        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), null, "dave"));

        train.Car(5).AddedBy.ShouldBe("dave");
    }

    [Test]
    public void Removal_cancels_a_pending_auto_merge_and_a_wrong_sha_is_refused()
    {
        var train = new TrainHarness();
        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), "not-the-head", "dave")).Rejection!.Kind.ShouldBe(RejectionKind.Conflict);
        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), "e1", "dave")).Rejection.ShouldBeNull();

        train.Send(new MergeRequestRemoved(5, "dave")).Rejection.ShouldBeNull();
        train.FinishPipeline(train.State.MergedResults.Single().Pipeline!.Id, PipelineStatus.Success);

        train.State.Cars.ShouldBeEmpty();
        train.Notes.ShouldContain((5, TrainNotes.AutoMergeCancelled("dave")));
    }

    [Test]
    public void Without_merged_results_pipelines_auto_merge_joins_at_once()
    {
        var train = new TrainHarness(new TrainSettings { MergedResultsPipelines = false });

        train.Send(new AutoMergeRequested(TrainHarness.Mr(5, "e1"), null, "dave"));

        train.Car(5).AddedBy.ShouldBe("dave");
    }
}
