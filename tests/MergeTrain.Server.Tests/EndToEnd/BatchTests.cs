using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 13, batches with bisection, through the real server and the fake GitLab: four MRs share
/// one pipeline; one of them breaks the lint, so the batch fails, is bisected on the cars' own
/// commits, and only that MR is dropped, with a note naming the pipeline that proved it.
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
            gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).ShouldContain(n => n.Body.StartsWith("merged by the merge train", StringComparison.Ordinal));
        }

        gitLab.GetMergeRequest(TrainWorld.ProjectId, c.Iid).State.ShouldBe(MergeRequestStates.Opened);
        var main = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        gitLab.GetPipeline(world.CarPipelines[^1].Id).Sha.ShouldBe(main, "main holds exactly the last tested commit");

        // The batch, at most ⌈log2 4⌉ = 2 probes, and the rebuilt batch of D and E.
        world.CarPipelines.Count(p => p.Id > first).ShouldBeLessThanOrEqualTo(1 + 2 + 1);
    }
}
