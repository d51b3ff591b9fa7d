using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 1, scenario A: merged results catch a stale MR.</summary>
public class ScenarioATests
{
    [Test]
    public async Task A_merged_results_pipeline_fails_a_stale_merge_request_whose_own_pipeline_passes()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var cutFrom = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;

        // main gains a commit that adds a lint rule.
        var mainHead = await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "main", new Dictionary<string, string?> { ["lint.rules"] = "TODO\n" }, "Forbid TODO");

        // MR-1's branch was cut before that and violates the rule; its own pipeline passes.
        var mr1 = await gitLab.CreateMergeRequestAsync(TrainWorld.ProjectId, new MergeRequestSpec("stale-feature", "Add a stale feature")
        {
            BaseSha = cutFrom,
            Files = new Dictionary<string, string?> { ["feature.txt"] = "TODO: finish\n" },
        });
        mr1.Iid.ShouldBe(1);
        var sourcePipeline = await StartPipelineAsync(gitLab, mr1.SourceBranch);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(sourcePipeline).IsFinished);
        gitLab.GetPipeline(sourcePipeline).Status.ShouldBe(PipelineStatuses.Success, "the source branch alone does not know the rule");

        // Opening it made the service build refs/merge-requests/1/merge = merge(target head, MR-1 head)
        // and run a pipeline on it, published as merged-results/1.
        var pipeline = await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.Pipelines.FirstOrDefault(p => p.Ref == "merged-results/1" && p.IsFinished), TimeSpan.FromSeconds(20), "the merged results pipeline");
        var mergeRef = await GitLog.ResolveAsync(world.ServiceRepository, "refs/merge-requests/1/merge");
        mergeRef.ShouldNotBeNull();
        pipeline.Sha.ShouldBe(mergeRef);
        (await GitLog.ParentsAsync(world.ServiceRepository, mergeRef)).ShouldBe([mainHead, mr1.Sha]);
        (await GitLog.MessageAsync(world.ServiceRepository, mergeRef)).ShouldBe(
            $"Merge branch 'stale-feature' into 'main'\n\nAdd a stale feature\n\nSee merge request {TrainWorld.ProjectPath}!1");
        pipeline.Status.ShouldBe(PipelineStatuses.Failed);
        pipeline.Log.ShouldContain("feature.txt contains forbidden word 'TODO'");

        // The MR shows the failed pipeline: a note and a failed merge-train status on its head.
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, 1).Any(n => n.Body.Contains($"pipeline #{pipeline.Id} failed", StringComparison.Ordinal)),
            because: "a note about the failed merged results pipeline");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.CommitStatuses.Any(s => s.Sha == mr1.Sha && s.Name == "merge-train" && s.State == "failed"),
            because: "a failed merge-train commit status on the MR head");

        // The target's history is untouched and nothing was merged.
        await world.WaitUntilQuietAsync();
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(mainHead);
        (await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main")).ShouldBe([mainHead, cutFrom]);
        (await GitLog.ResolveAsync(world.ServiceRepository, "refs/heads/main")).ShouldBe(mainHead);
        gitLab.GetMergeRequest(TrainWorld.ProjectId, 1).State.ShouldBe(MergeRequestStates.Opened);
        (await world.CarAsync(1)).ShouldBeNull("merged results do not put the MR on a train");
    }

    /// <summary>Starts a pipeline on a branch through the fake GitLab's API, as a push pipeline would run.</summary>
    private static async Task<long> StartPipelineAsync(FakeGitLab.FakeGitLab gitLab, string branch)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add("PRIVATE-TOKEN", gitLab.Token);
        using var response = await client.PostAsync(new Uri($"{gitLab.ApiUrl}/projects/{TrainWorld.ProjectId}/pipeline?ref={branch}"), null);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }
}
