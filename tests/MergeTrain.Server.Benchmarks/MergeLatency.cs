using System.Text.Json;
using MergeTrain.FakeGitLab;

namespace MergeTrain.Server.Benchmarks;

/// <summary>
/// From the first car's "pipeline succeeded" webhook (the moment the fake GitLab sends it) to the
/// target branch pointing at the car commit in GitLab's repository (the moment a tight poll of the
/// ref file sees it).
/// </summary>
internal static class MergeLatency
{
    public static async Task<IReadOnlyList<double>> MeasureAsync(BenchmarkWorld world, int warmup, int repetitions)
    {
        var gitLab = world.GitLab;
        gitLab.Ci.HoldPipelines = true;
        var samples = new List<double>();
        for (var i = 1; i <= warmup + repetitions; i++)
        {
            var mr = await gitLab.CreateMergeRequestAsync(BenchmarkWorld.ProjectId, new MergeRequestSpec($"feature-{i}", $"Feature {i}")
            {
                Files = new Dictionary<string, string?> { [$"feature-{i}.txt"] = $"{i}\n" },
            });
            using (var added = await world.Api.PostAsync($"/api/v4/projects/{BenchmarkWorld.ProjectId}/merge_trains/merge_requests/{mr.Iid}", null))
            {
                added.EnsureSuccessStatusCode();
            }

            // The normal path: the service knows the pipeline and has seen it running.
            var car = await world.WaitForCarAsync(
                mr.Iid, c => c.GetProperty("pipeline") is { ValueKind: JsonValueKind.Object } p && p.GetProperty("status").GetString() == "running", "ran its pipeline");
            var pipelineId = car.GetProperty("pipeline").GetProperty("id").GetInt64();
            var carCommit = car.GetProperty("pipeline").GetProperty("sha").GetString()!;

            if (!gitLab.Ci.Release(pipelineId))
            {
                throw new InvalidOperationException($"pipeline {pipelineId} was not held");
            }

            var mergedAt = await WaitForBranchAsync(world.GitLab, world.Project, "main", carCommit);
            var hook = await FakeGitLab.FakeGitLab.WaitUntilAsync(
                () => gitLab.Deliveries.FirstOrDefault(d => d.EventName == "Pipeline Hook" && d.Body.Contains($"\"id\":{pipelineId},", StringComparison.Ordinal)
                    && d.Body.Contains("\"status\":\"success\"", StringComparison.Ordinal)),
                because: "the success hook");
            if (i > warmup)
            {
                samples.Add((mergedAt - hook.SentAt).TotalMilliseconds);
            }

            await world.WaitForCarAsync(mr.Iid, c => c.GetProperty("status").GetString() == "merged", "merged");
        }

        return samples;
    }

    /// <summary>Polls the branch's loose ref file every millisecond (falling back to git when it is packed).</summary>
    private static async Task<DateTimeOffset> WaitForBranchAsync(FakeGitLab.FakeGitLab gitLab, FakeProject project, string branch, string sha)
    {
        var refFile = Path.Combine(project.RepositoryUrl, "refs", "heads", branch);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            string? head;
            try
            {
                head = (await File.ReadAllTextAsync(refFile)).Trim();
            }
            catch (IOException)
            {
                head = await gitLab.GetBranchHeadAsync(project.Id, branch);
            }

            if (head == sha)
            {
                return DateTimeOffset.UtcNow;
            }

            await Task.Delay(1);
        }

        throw new TimeoutException($"{branch} never reached {sha}");
    }
}
