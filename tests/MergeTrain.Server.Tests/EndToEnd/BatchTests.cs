using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 13, batches with bisection, through the real server and the fake GitLab: four MRs share
/// one pipeline; one of them breaks the lint, so the batch fails, is bisected on the cars' own
/// commits, and only that MR is dropped, with a note naming the pipeline that proved it. A batch
/// that fails with another behind it is set aside, and the batch behind goes on without it.
/// </summary>
public class BatchTests
{
    [Test]
    public async Task A_batch_of_four_with_one_bad_merge_request_merges_three_and_drops_the_bad_one_with_the_pipeline_that_proved_it()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n", ["lint.rules"] = "FORBIDDEN\n" },
            1,
            "--MergeTrain:Projects:0:BatchSize=4",
            "--MergeTrain:Projects:0:MinBatchSize=4");
        var gitLab = world.GitLab;

        // A runs alone (one pipeline at a time) while B, C, D and E queue behind it; C breaks the lint.
        var a = await world.OpenMergeRequestAsync("a", "A", new Dictionary<string, string?> { ["a.txt"] = "a\n" });
        gitLab.Ci.HoldPipelines = true;
        using (var added = await world.AddThroughApiAsync(a.Iid))
        {
            added.EnsureSuccessStatusCode();
        }

        var first = await world.WaitForPipelineAsync(a.Iid);
        var queued = new List<FakeMergeRequest>();
        foreach (var name in new[] { "b", "c", "d", "e" })
        {
            var content = name == "c" ? "FORBIDDEN\n" : $"{name}\n";
            var mr = await world.OpenMergeRequestAsync(name, name.ToUpperInvariant(), new Dictionary<string, string?> { [$"{name}.txt"] = content });
            using var added = await world.AddThroughApiAsync(mr.Iid);
            added.EnsureSuccessStatusCode();
            queued.Add(mr);
        }

        var (b, c, d, e) = (queued[0], queued[1], queued[2], queued[3]);
        gitLab.Ci.Release(first).ShouldBeTrue();
        await world.WaitForCarAsync(a.Iid, "merged");

        // One pipeline, on E's car, tests the batch B, C, D, E; the dashboard says so.
        var batch = await world.WaitForPipelineAsync(e.Iid);
        gitLab.GetPipeline(batch).Variables["MERGE_TRAIN_BATCH_IIDS"].ShouldBe($"{b.Iid} {c.Iid} {d.Iid} {e.Iid}");
        world.CarPipelines.Where(p => p.Id != first).Select(p => p.Id).ShouldBe([batch], "the batch runs one pipeline");
        (await world.CarAsync(b.Iid))!.Value.GetProperty("status").GetString().ShouldBe("fresh");
        (await LaterGreenAbsolvesTests.TrainsPageAsync(world)).ShouldContain($"batched: tested by !{e.Iid}&#39;s pipeline");

        // It fails on C's file; the probes run freely.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.Release(batch).ShouldBeTrue();

        var dropped = await world.WaitForCarAsync(c.Iid, "dropped", TimeSpan.FromSeconds(90));
        gitLab.GetPipeline(batch).Status.ShouldBe(PipelineStatuses.Failed);
        var proof = world.CarPipelines.Single(p => p.Ref == $"merge-train/main/{c.Iid}");
        gitLab.GetPipeline(proof.Id).Status.ShouldBe(PipelineStatuses.Failed);
        dropped.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(proof.Id);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Any(n => n.Body.Contains($"pipeline #{proof.Id}", StringComparison.Ordinal) && n.Body.Contains("found by bisecting its batch", StringComparison.Ordinal)),
            because: $"C's note naming pipeline #{proof.Id}; notes: {string.Join(" | ", gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Select(n => n.Body))}");

        foreach (var mr in new[] { b, d, e })
        {
            await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(90));
            await FakeGitLab.FakeGitLab.WaitUntilAsync(
                () => gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State == MergeRequestStates.Merged,
                because: $"GitLab to show !{mr.Iid} merged");
            // The note is posted after the merge that GitLab already shows.
            await FakeGitLab.FakeGitLab.WaitUntilAsync(
                () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body.StartsWith("merged by the merge train", StringComparison.Ordinal)),
                because: $"!{mr.Iid}'s merge note");
        }

        gitLab.GetMergeRequest(TrainWorld.ProjectId, c.Iid).State.ShouldBe(MergeRequestStates.Opened);
        var main = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        gitLab.GetPipeline(world.CarPipelines[^1].Id).Sha.ShouldBe(main, "main holds exactly the last tested commit");

        // The batch, at most ⌈log2 4⌉ = 2 probes, and the rebuilt batch of D and E.
        world.CarPipelines.Count(p => p.Id > first).ShouldBeLessThanOrEqualTo(1 + 2 + 1);
    }

    [Test]
    public async Task A_batch_that_fails_with_a_batch_behind_it_is_set_aside_and_the_batch_behind_merges_without_waiting_for_the_search()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n", ["lint.rules"] = "FORBIDDEN\n" },
            2,
            "--MergeTrain:Projects:0:BatchSize=2",
            "--MergeTrain:Projects:0:MinBatchSize=2");
        var gitLab = world.GitLab;

        // A and A2 fill the window while B, C (which breaks the lint), D and E queue behind them.
        gitLab.Ci.HoldPipelines = true;
        var front = new List<(FakeMergeRequest Mr, long Pipeline)>();
        foreach (var name in new[] { "a", "a2" })
        {
            var mr = await world.OpenMergeRequestAsync(name, name.ToUpperInvariant(), new Dictionary<string, string?> { [$"{name}.txt"] = $"{name}\n" });
            using var added = await world.AddThroughApiAsync(mr.Iid);
            added.EnsureSuccessStatusCode();
            front.Add((mr, await world.WaitForPipelineAsync(mr.Iid)));
        }

        var queued = new List<FakeMergeRequest>();
        foreach (var name in new[] { "b", "c", "d", "e" })
        {
            var content = name == "c" ? "FORBIDDEN\n" : $"{name}\n";
            var mr = await world.OpenMergeRequestAsync(name, name.ToUpperInvariant(), new Dictionary<string, string?> { [$"{name}.txt"] = content });
            using var added = await world.AddThroughApiAsync(mr.Iid);
            added.EnsureSuccessStatusCode();
            queued.Add(mr);
        }

        var (b, c, d, e) = (queued[0], queued[1], queued[2], queued[3]);
        foreach (var (mr, pipeline) in front)
        {
            gitLab.Ci.Release(pipeline).ShouldBeTrue();
            await world.WaitForCarAsync(mr.Iid, "merged");
        }

        // Two batches, two pipelines: B and C on C's car, D and E on E's, which holds B and C too.
        var failing = await world.WaitForPipelineAsync(c.Iid);
        var behind = await world.WaitForPipelineAsync(e.Iid);
        gitLab.GetPipeline(behind).Variables["MERGE_TRAIN_BATCH_IIDS"].ShouldBe($"{d.Iid} {e.Iid}");

        // C's file fails the lint: B and C are set aside, and D and E are rebuilt on main at once.
        gitLab.Ci.Release(failing).ShouldBeTrue();
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => world.CarPipelines.Any(p => p.Ref == $"merge-train/main/{e.Iid}" && p.Id > behind)
                && world.CarPipelines.Any(p => p.Ref == $"merge-train/main/{b.Iid}"),
            because: "a new pipeline for D and E, and a probe on B");
        gitLab.GetPipeline(behind).Status.ShouldBe(PipelineStatuses.Canceled, "its commit held C");
        var rebuilt = world.CarPipelines.Last(p => p.Ref == $"merge-train/main/{e.Iid}");
        var probe = world.CarPipelines.Single(p => p.Ref == $"merge-train/main/{b.Iid}");
        (await GitLog.IsAncestorAsync(world.Project.RepositoryUrl, c.Sha, rebuilt.Sha)).ShouldBeFalse("D and E go on without C");
        (await GitLog.IsAncestorAsync(world.Project.RepositoryUrl, b.Sha, rebuilt.Sha)).ShouldBeFalse("and without B");
        var page = await LaterGreenAbsolvesTests.TrainsPageAsync(world);
        page.ShouldContain(">set aside</span>");
        page.ShouldContain(">probe</span>");

        // D and E merge first; the probe on B passes, B goes back to the train; C is dropped.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.Release(rebuilt.Id).ShouldBeTrue();
        await world.WaitForCarAsync(e.Iid, "merged", TimeSpan.FromSeconds(60));
        await world.WaitForCarAsync(d.Iid, "merged");
        gitLab.Ci.Release(probe.Id).ShouldBeTrue();

        await world.WaitForCarAsync(c.Iid, "dropped", TimeSpan.FromSeconds(90));
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Any(n => n.Body.Contains($"found by bisecting its batch: pipeline #{probe.Id} passed on exactly the commits ahead of it, so pipeline #{failing} proves this merge request fails", StringComparison.Ordinal)),
            because: $"C's note naming the probe and its pipeline; notes: {string.Join(" | ", gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Select(n => n.Body))}");
        await world.WaitForCarAsync(b.Iid, "merged", TimeSpan.FromSeconds(90));
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetMergeRequest(TrainWorld.ProjectId, b.Iid).State == MergeRequestStates.Merged,
            because: "GitLab to show B merged");
        gitLab.GetMergeRequest(TrainWorld.ProjectId, c.Iid).State.ShouldBe(MergeRequestStates.Opened);
        var main = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        gitLab.GetPipeline(world.CarPipelines[^1].Id).Sha.ShouldBe(main, "main holds exactly the last tested commit");
    }
}
