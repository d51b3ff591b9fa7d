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

    [Test]
    public async Task A_car_pipeline_whose_hooks_are_lost_while_canceling_is_still_polled_to_its_end()
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

        // Someone cancels the pipeline in GitLab; the service hears that it is canceling.
        (await gitLab.Ci.BeginCancelingAsync(pipeline)).ShouldBeTrue();
        await TrainWorld.WaitUntilAsync(
            async () => (await world.CarAsync(mr.Iid)) is { } car && car.GetProperty("pipeline").GetProperty("status").GetString() == "canceling",
            "the service to record the pipeline as canceling");

        // From here the hooks are lost: the cancel completes and nobody is told. Only polling can
        // learn it, and it polls only the statuses it takes for unfinished.
        gitLab.WebhooksEnabled = false;
        var polledBefore = PollsOf(gitLab, pipeline);
        (await gitLab.Ci.FinishCancelingAsync(pipeline)).ShouldBeTrue();

        var dropped = await world.WaitForCarAsync(mr.Iid, "dropped", TimeSpan.FromSeconds(30));
        dropped.GetProperty("pipeline").GetProperty("status").GetString().ShouldBe("canceled");
        PollsOf(gitLab, pipeline).ShouldBeGreaterThan(polledBefore, "the cancel was learned by polling");
        // Only this pipeline's hooks count: the MR's merged-results pipeline, say, may be cancelled with its hook delivered.
        gitLab.Deliveries.Where(d => d.EventName == "Pipeline Hook")
            .Select(d => System.Text.Json.Nodes.JsonNode.Parse(d.Body)!["object_attributes"]!)
            .ShouldNotContain(hook => hook["id"]!.GetValue<long>() == pipeline && hook["status"]!.GetValue<string>() == "canceled", "no hook told of the cancel");
    }

    private static int PollsOf(FakeGitLab.FakeGitLab gitLab, long pipeline) =>
        gitLab.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/pipelines/{pipeline}", StringComparison.Ordinal));
}
