using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 6: <c>auto_merge</c> adds the MR once its own merged results pipeline passes.</summary>
public class AutoMergeTests
{
    [Test]
    public async Task An_MR_added_with_auto_merge_joins_the_train_after_its_merged_results_pipeline_passes()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "f\n" });
        var mergedResults = await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.Pipelines.FirstOrDefault(p => p.Ref == $"merged-results/{mr.Iid}"), because: "the MR's merged results pipeline");

        using var added = await world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{mr.Iid}?auto_merge=true", null);

        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.CarAsync(mr.Iid)).ShouldBeNull("it waits for its merged results pipeline");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body.Contains("when its merged results pipeline succeeds", StringComparison.Ordinal)));

        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.Release(mergedResults.Id, PipelineStatuses.Success).ShouldBeTrue();
        var merged = await world.WaitForCarAsync(mr.Iid, "merged");

        merged.GetProperty("user").GetProperty("username").GetString().ShouldBe("alice");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(gitLab.GetPipeline(merged.GetProperty("pipeline").GetProperty("id").GetInt64()).Sha);
    }
}
