using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

public class PipelineAccountingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_pipeline_that_finishes_is_spent_and_one_replaced_while_running_is_also_wasted()
    {
        var before = State(Car(1, Pipeline(10, PipelineStatus.Running, T0, T0)), Car(2, Pipeline(11, PipelineStatus.Running, T0, T0)));
        var after = State(Car(1, Pipeline(10, PipelineStatus.Success, T0, T0.AddMinutes(30))), Car(2, Pipeline(12, PipelineStatus.Created, T0.AddMinutes(40), T0.AddMinutes(40))));

        var (spent, wasted) = PipelineAccounting.Compare(before, after, T0.AddMinutes(40));

        spent.ShouldBe((30 + 40) * 60);
        wasted.ShouldBe(40 * 60);
    }

    [Test]
    public void A_passed_pipeline_thrown_away_by_a_rebuild_is_wasted_but_not_spent_again()
    {
        var before = State(Car(2, Pipeline(11, PipelineStatus.Success, T0, T0.AddMinutes(20))));
        var after = State(Car(2, null));

        var (spent, wasted) = PipelineAccounting.Compare(before, after, T0.AddMinutes(25));

        spent.ShouldBe(0);
        wasted.ShouldBe(20 * 60);
    }

    [Test]
    public void A_pipeline_retried_in_place_counts_its_failed_run_once_and_then_only_the_retry()
    {
        var running = State(Car(1, Pipeline(10, PipelineStatus.Running, T0, T0)));
        var failed = State(Car(1, Pipeline(10, PipelineStatus.Failed, T0, T0.AddMinutes(30))));
        var retried = State(Car(1, Pipeline(10, PipelineStatus.Pending, T0, T0.AddMinutes(31)) with { RetriedAt = T0.AddMinutes(31) }));
        var passed = State(Car(1, Pipeline(10, PipelineStatus.Success, T0, T0.AddMinutes(41)) with { RetriedAt = T0.AddMinutes(31) }));

        PipelineAccounting.Compare(running, failed, T0.AddMinutes(30)).ShouldBe((30d * 60, 0d));
        PipelineAccounting.Compare(failed, retried, T0.AddMinutes(31)).ShouldBe((0d, 0d));
        PipelineAccounting.Compare(retried, passed, T0.AddMinutes(41)).ShouldBe((10d * 60, 0d));
    }

    [Test]
    public void Nothing_changing_costs_nothing()
    {
        var state = State(Car(1, Pipeline(10, PipelineStatus.Running, T0, T0)));

        PipelineAccounting.Compare(state, state, T0.AddHours(1)).ShouldBe((0d, 0d));
    }

    private static TrainState State(params Car[] cars) => TrainState.Create(1, "g/p", "main", "t0") with { Cars = cars };

    private static Car Car(int iid, PipelineSnapshot? pipeline) => new()
    {
        Iid = iid, Title = "t", SourceBranch = "b", HeadSha = "h", AddedBy = "a", AddedAt = T0, UpdatedAt = T0, Pipeline = pipeline,
    };

    private static PipelineSnapshot Pipeline(long id, PipelineStatus status, DateTimeOffset created, DateTimeOffset updated) =>
        new(id, "sha", "ref", status, null, created, updated);
}
