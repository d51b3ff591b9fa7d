using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// Batches with bisection (issue 13, part 1): several MRs share one pipeline; a failing batch is
/// bisected until the MR that fails is found, in ⌈log2 n⌉ rounds, and only that one is dropped.
/// </summary>
public class BatchTests
{
    private static TrainSettings Batches(int size, int minimum) => new() { BatchSize = size, MinBatchSize = minimum };

    // Heads end in a dot so that "h1." is never found inside "h11.".
    private static string Head(int iid) => $"h{iid}.";

    /// <summary>Adds the MRs while nothing is carried out, as a queue builds up while git and GitLab are busy, then lets them run.</summary>
    private static TrainHarness QueueOf(TrainSettings settings, int count)
    {
        var train = new TrainHarness(settings) { AutoRun = false };
        for (var iid = 1; iid <= count; iid++)
        {
            train.Add(iid, Head(iid));
        }

        train.AutoRun = true;
        train.Run();
        return train;
    }

    [Test]
    public void A_batch_that_passes_merges_every_MR_in_it_at_once_on_one_pipeline()
    {
        var train = QueueOf(Batches(4, 4), 4);

        train.RunningPipelines().Count().ShouldBe(1, "four MRs share one pipeline");
        var pipeline = train.PipelineOf(4);
        train.Pipelines[pipeline].Variables["MERGE_TRAIN_BATCH_IIDS"].ShouldBe("1 2 3 4");
        train.State.Cars.Take(3).ShouldAllBe(car => car.Stage == CarStage.Batched && car.Status == CarStatus.Fresh && car.CommitSha != null);
        train.State.BatchPipelineCarOf(2)!.Iid.ShouldBe(4, "the car whose pipeline tests !2");
        train.State.BatchPipelineCarOf(4).ShouldBeNull("!4 runs its own pipeline");
        train.Statuses.Where(status => status.State == CommitState.Running).Select(status => status.Iid).Order().ToArray().ShouldBe([1, 2, 3, 4], "every MR of the batch is shown as tested");

        train.FinishPipeline(pipeline, PipelineStatus.Success);

        train.State.Cars.ShouldBeEmpty();
        train.Target.ShouldBe("merge(merge(merge(merge(t0,h1.),h2.),h3.),h4.)");
        train.State.Finished.ShouldAllBe(car => car.Status == CarStatus.Merged && car.MergedSha == train.Target);
        train.Notes.Last(note => note.Iid == 2).Body.ShouldBe($"merged by the merge train in a batch of 4: pipeline #{pipeline} of !4 tested exactly the commit the target branch now holds, which contains these changes");
        train.Notes.Last(note => note.Iid == 4).Body.ShouldBe($"merged by the merge train (pipeline #{pipeline}), with the 3 merge request(s) batched ahead of it that its pipeline tested");
        train.Effects.OfType<FastForwardTarget>().Count().ShouldBe(1);
    }

    [Test]
    public void Batches_grow_with_the_queue_between_their_minimum_and_maximum_and_take_one_place_each_in_the_window()
    {
        // Two pipelines for eight cars: batches of four.
        var queued = QueueOf(Batches(4, 1) with { MaxParallelPipelines = 2 }, 8);
        queued.RunningPipelines().Select(id => queued.Pipelines[id].Iid).Order().ToArray().ShouldBe([4, 8]);

        // Two pipelines for two cars: each MR on its own, as GitLab does.
        var short_ = QueueOf(Batches(4, 1) with { MaxParallelPipelines = 2 }, 2);
        short_.RunningPipelines().Select(id => short_.Pipelines[id].Iid).Order().ToArray().ShouldBe([1, 2]);

        // Never more than the maximum: twelve cars, two pipelines, batches of three; the rest waits its turn.
        var capped = QueueOf(Batches(3, 1) with { MaxParallelPipelines = 2 }, 12);
        capped.RunningPipelines().Select(id => capped.Pipelines[id].Iid).Order().ToArray().ShouldBe([3, 6]);
        capped.State.Cars.Skip(6).ShouldAllBe(car => car.Stage == CarStage.Waiting);

        // The minimum batches even a short queue.
        var minimum = QueueOf(Batches(4, 2), 4);
        minimum.RunningPipelines().Select(id => minimum.Pipelines[id].Iid).Order().ToArray().ShouldBe([2, 4]);
    }

    [Test]
    public void Bisection_finds_the_failing_MR_in_at_most_log2_n_rounds_and_drops_only_it()
    {
        for (var size = 1; size <= 8; size++)
        {
            for (var culprit = 1; culprit <= size; culprit++)
            {
                var train = QueueOf(Batches(size, size), size);
                train.RunningPipelines().Count().ShouldBe(1, $"batch of {size}");
                var rounds = 0;
                while (train.State.FindCar(culprit) is not null)
                {
                    var running = train.RunningPipelines().ToList();
                    running.ShouldNotBeEmpty($"batch of {size}, culprit !{culprit}: the search stalled");
                    foreach (var id in running)
                    {
                        train.FinishPipeline(id, train.Pipelines[id].Sha.Contains(Head(culprit)) ? PipelineStatus.Failed : PipelineStatus.Success);
                    }

                    rounds++;
                }

                // The first round is the batch's own pipeline; bisection takes the others.
                var bisection = rounds - 1;
                bisection.ShouldBeLessThanOrEqualTo((int)Math.Ceiling(Math.Log2(size)), $"batch of {size}, culprit !{culprit}");
                var dropped = train.FinishedCar(culprit);
                dropped.DropReason.ShouldBe(DropReason.PipelineFailed);
                var proof = train.Notes.Last(note => note.Iid == culprit).Body;
                proof.ShouldContain($"pipeline #{dropped.Pipeline!.Id} failed");
                if (size > 1)
                {
                    proof.ShouldContain("found by bisecting its batch");
                }

                // Everything else merges, on commits without the culprit.
                while (train.RunningPipelines().ToList() is { Count: > 0 } rest)
                {
                    rest.ForEach(id => train.FinishPipeline(id, PipelineStatus.Success));
                }

                train.State.Cars.ShouldBeEmpty();
                train.State.Finished.Where(car => car.Status == CarStatus.Merged).Select(car => car.Iid).Order().ToArray().ShouldBe(Enumerable.Range(1, size).Where(iid => iid != culprit).ToArray());
                train.Target.ShouldNotContain(Head(culprit));
                train.State.Finished.Single(car => car.Status == CarStatus.Dropped).Iid.ShouldBe(culprit);
            }
        }
    }

    [Test]
    public void Without_room_to_spare_bisection_takes_exactly_log2_n_rounds_when_the_last_MR_of_a_batch_of_eight_fails()
    {
        var train = QueueOf(Batches(8, 8) with { MaxParallelPipelines = 1 }, 8);
        var probes = new List<int>();
        train.FinishPipeline(train.PipelineOf(8), PipelineStatus.Failed);
        while (train.State.FindCar(8) is not null)
        {
            var running = train.RunningPipelines().Single();
            probes.Add(train.Pipelines[running].Iid);
            train.FinishPipeline(running, PipelineStatus.Success);
        }

        probes.ShouldBe([4, 6, 7], "each probe tests the first half of what is left");
        train.Notes.Last(note => note.Iid == 8).Body.ShouldContain($"of !7 passed on the commits ahead of it");
        train.State.Finished.Count(car => car.Status == CarStatus.Merged).ShouldBe(7);
    }

    [Test]
    public void A_batch_that_fails_with_cars_behind_it_is_set_aside_and_the_cars_behind_go_on_without_it_at_once()
    {
        var train = QueueOf(Batches(4, 4) with { MaxParallelPipelines = 3 }, 8);
        var behind = train.PipelineOf(8);

        train.FinishPipeline(train.PipelineOf(4), PipelineStatus.Failed);

        // Every commit behind held the MR that fails: the cars behind are rebuilt at once on the target, without the batch.
        train.Pipelines[behind].CancelledByTrain.ShouldBeTrue();
        train.State.Cars.Select(car => car.Iid).ToArray().ShouldBe([5, 6, 7, 8, 1, 2, 3, 4]);
        train.Car(5).BaseSha.ShouldBe("t0");
        train.Pipelines[train.PipelineOf(8)].Variables["MERGE_TRAIN_BATCH_IIDS"].ShouldBe("5 6 7 8");
        train.State.Cars.Skip(4).ShouldAllBe(car => car.SetAside != null && car.SetAside.BaseSha == "t0");
        train.Audit.ShouldContain(record => record.Iid == 4 && record.Reason.Contains("set aside while probes find the merge request that fails, so that the 4 cars behind it are rebuilt without it at once", StringComparison.Ordinal));

        // Probes in the places the batch behind leaves, on the commits the batch already has: up to !1, and up to !2.
        var first = train.PipelineOf(2);
        var moot = train.PipelineOf(1);
        train.Car(2).BisectionProbe.ShouldBeTrue();
        train.Pipelines[first].Sha.ShouldBe("merge(merge(t0,h1.),h2.)");
        train.RunningPipelines().Select(id => train.Pipelines[id].Iid).Order().ToArray().ShouldBe([1, 2, 8]);

        // Up to !2 passes: !1 and !2 go back to the train, behind the cars that went on; !3 is probed next.
        train.FinishPipeline(first, PipelineStatus.Success);
        train.Pipelines[moot].CancelledByTrain.ShouldBeTrue("what it tests has passed");
        train.State.Cars.Select(car => car.Iid).ToArray().ShouldBe([5, 6, 7, 8, 1, 2, 3, 4]);
        train.Car(1).SetAside.ShouldBeNull();
        train.Car(2).SetAside.ShouldBeNull();
        var second = train.PipelineOf(3);

        // !3 fails on the commits !1 and !2 passed on: it is the one, and only it is dropped; !4 goes back untested.
        train.FinishPipeline(second, PipelineStatus.Failed);
        train.FinishedCar(3).DropReason.ShouldBe(DropReason.PipelineFailed);
        train.Notes.Last(note => note.Iid == 3).Body.ShouldContain($"found by bisecting its batch: pipeline #{first} passed on exactly the commits ahead of it, so pipeline #{second} proves this merge request fails");
        train.State.Cars.ShouldAllBe(car => car.SetAside == null);
        train.State.Cars.Select(car => car.Iid).ToArray().ShouldBe([5, 6, 7, 8, 1, 2, 4]);

        // The rest merges, on commits without !3.
        while (train.RunningPipelines().ToList() is { Count: > 0 } running)
        {
            running.ForEach(id => train.FinishPipeline(id, PipelineStatus.Success));
        }

        train.State.Cars.ShouldBeEmpty();
        train.State.Finished.Where(car => car.Status == CarStatus.Merged).Select(car => car.Iid).Order().ToArray().ShouldBe([1, 2, 4, 5, 6, 7, 8]);
        train.Target.ShouldNotContain(Head(3));
    }

    [Test]
    public void The_MR_a_search_finds_is_dropped_only_once_the_commits_its_batch_was_built_on_have_merged()
    {
        var train = QueueOf(Batches(2, 2) with { MaxParallelPipelines = 3 }, 6);
        var ahead = train.PipelineOf(2);

        // The batch of !3 and !4 fails while the batch ahead of it still runs.
        train.FinishPipeline(train.PipelineOf(4), PipelineStatus.Failed);
        train.Car(3).SetAside!.BaseMerged.ShouldBeFalse();
        train.FinishPipeline(train.PipelineOf(3), PipelineStatus.Failed);

        // !3 failed on a commit that holds !1 and !2, which have not passed yet: held, not dropped.
        train.Car(3).Stage.ShouldBe(CarStage.FailurePending);
        train.State.Finished.ShouldBeEmpty();

        train.FinishPipeline(ahead, PipelineStatus.Success);

        train.FinishedCar(3).DropReason.ShouldBe(DropReason.PipelineFailed);
        train.Notes.Last(note => note.Iid == 3).Body.ShouldContain("found by bisecting its batch");
        train.State.Finished.Where(car => car.Status == CarStatus.Merged).Select(car => car.Iid).Order().ToArray().ShouldBe([1, 2]);
        train.Car(4).SetAside.ShouldBeNull();
    }

    [Test]
    public void A_set_aside_batch_goes_back_untested_when_the_commits_it_was_built_on_will_never_merge()
    {
        var train = QueueOf(Batches(2, 2) with { MaxParallelPipelines = 3 }, 6);

        // !3 and !4 fail, then the batch ahead of them fails too: what !3 and !4 were built on is gone.
        train.FinishPipeline(train.PipelineOf(4), PipelineStatus.Failed);
        var probe = train.PipelineOf(3);
        train.FinishPipeline(train.PipelineOf(2), PipelineStatus.Failed);

        train.Pipelines[probe].CancelledByTrain.ShouldBeTrue("its answer would say nothing about !3");
        train.Car(3).SetAside.ShouldBeNull();
        train.Car(4).SetAside.ShouldBeNull();
        train.Car(1).SetAside.ShouldNotBeNull("the batch that failed last is searched");
        train.State.Cars.Select(car => car.Iid).ToArray().ShouldBe([5, 6, 3, 4, 1, 2]);
        train.State.Finished.ShouldBeEmpty();
        train.Audit.ShouldContain(record => record.Iid == 3 && record.Reason.Contains("will not reach 'main': back on the train, untested", StringComparison.Ordinal));
    }

    [Test]
    public void A_push_to_the_target_outside_the_train_puts_set_aside_cars_back_untested()
    {
        var train = QueueOf(Batches(4, 4) with { MaxParallelPipelines = 3 }, 8);
        train.FinishPipeline(train.PipelineOf(4), PipelineStatus.Failed);
        var probe = train.PipelineOf(2);

        train.PushToTarget("t1");

        train.Pipelines[probe].CancelledByTrain.ShouldBeTrue();
        train.State.Cars.ShouldAllBe(car => car.SetAside == null);
        train.State.Cars.Select(car => car.Iid).ToArray().ShouldBe([5, 6, 7, 8, 1, 2, 3, 4]);
        train.Car(5).BaseSha.ShouldBe("t1");
    }

    [Test]
    public void A_flaky_job_in_a_batch_costs_nobody_their_place_the_MR_bisection_finds_is_retried_first()
    {
        var train = QueueOf(Batches(3, 3) with { FailedPipelineRetries = 1 }, 3);
        var batch = train.PipelineOf(3);

        // The batch is bisected at once: a retry would cost all three a round.
        train.FailJobs(3, "e2e");
        train.Effects.OfType<RetryPipeline>().ShouldBeEmpty();
        var probe = train.PipelineOf(2);
        train.Car(2).BisectionProbe.ShouldBeTrue();

        // The probe passes (the flake does not come back): the failure is !3's alone, and is retried.
        train.FinishPipeline(probe, PipelineStatus.Success);
        train.Effects.OfType<RetryPipeline>().Single().PipelineId.ShouldBe(batch);
        train.FinishPipeline(batch, PipelineStatus.Success);

        // Its commit holds the whole batch and passed: the probe still running on !1 is moot.
        train.State.Cars.ShouldBeEmpty();
        train.Pipelines[train.State.Finished.Single(car => car.Iid == 1).Pipeline!.Id].CancelledByTrain.ShouldBeTrue();
        train.State.Finished.ShouldAllBe(car => car.Status == CarStatus.Merged);
        train.Notes.ShouldContain(note => note.Iid == 3 && note.Body.StartsWith($"pipeline #{batch} passed on retry; flaky jobs: e2e", StringComparison.Ordinal));
    }

    [Test]
    public void When_the_car_that_was_to_test_a_batch_leaves_the_car_ahead_of_it_ends_the_batch()
    {
        var train = QueueOf(Batches(3, 3), 3);
        var pipeline = train.PipelineOf(3);

        train.Send(new MergeRequestRemoved(3, "alice"));

        train.Pipelines[pipeline].CancelledByTrain.ShouldBeTrue();
        train.Car(1).Stage.ShouldBe(CarStage.Batched);
        train.Car(2).Stage.ShouldBe(CarStage.PipelineRunning);
        train.Pipelines[train.PipelineOf(2)].Variables["MERGE_TRAIN_BATCH_IIDS"].ShouldBe("1 2");
    }

    [Test]
    public void Batch_sizes_out_of_range_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { BatchSize = 0 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { BatchSize = 2, MinBatchSize = 3 }.Validate());
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainSettings { MinBatchSize = 0 }.Validate());
    }
}
