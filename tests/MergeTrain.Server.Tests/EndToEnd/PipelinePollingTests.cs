using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 5: pipelines are also polled, as a fallback when no hook arrives.</summary>
public class PipelinePollingTests
{
    [Test]
    public async Task A_car_whose_pipeline_hooks_are_lost_still_merges_through_polling()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n" },
            20,
            "--MergeTrain:PipelinePolling:QuietFor=00:00:01",
            "--MergeTrain:PipelinePolling:Every=00:00:01");
        var gitLab = world.GitLab;
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "f\n" });
        gitLab.Ci.HoldPipelines = true;
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        var pipeline = await world.WaitForPipelineAsync(mr.Iid);

        // From here GitLab's hooks are lost: the pipeline passes and nobody is told.
        gitLab.WebhooksEnabled = false;
        gitLab.Ci.Release(pipeline, PipelineStatuses.Success).ShouldBeTrue();

        var merged = await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(30));
        merged.GetProperty("pipeline").GetProperty("status").GetString().ShouldBe("success");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(gitLab.GetPipeline(pipeline).Sha);
        gitLab.Deliveries.ShouldNotContain(d => d.EventName == "Pipeline Hook" && d.Body.Contains("\"status\":\"success\""), "the success was learned by polling");
        gitLab.Requests.ShouldContain(r => r.Method == "GET" && r.Path.EndsWith($"/pipelines/{pipeline}", StringComparison.Ordinal));
    }
}
