using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 6: the two removal endpoints GitLab clients use.</summary>
public class RemovalFromTheTrainTests
{
    [Test]
    public async Task Both_removal_endpoints_drop_the_car_as_removed_by_user_and_rebuild_the_cars_behind()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var ((a, pipelineA), (b, pipelineB), (c, oldC)) = await world.HeldTrainOfThreeAsync();

        // DELETE /projects/:id/merge_trains/merge_requests/:iid takes B off.
        using (var delete = await world.Api.DeleteAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{b.Iid}"))
        {
            delete.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await world.WaitForCarAsync(b.Iid, "dropped");
        var newC = await world.WaitForNewPipelineAsync(c.Iid, oldC);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(newC).Sha)).ShouldBe([gitLab.GetPipeline(pipelineA).Sha, c.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetPipeline(pipelineB).Status == PipelineStatuses.Canceled && gitLab.GetPipeline(oldC).Status == PipelineStatuses.Canceled,
            because: "B's pipeline and C's old one to be cancelled");

        // POST /projects/:id/merge_requests/:iid/cancel_merge_when_pipeline_succeeds takes C off.
        using (var cancel = await world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_requests/{c.Iid}/cancel_merge_when_pipeline_succeeds", null))
        {
            cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await world.WaitForCarAsync(c.Iid, "dropped");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetPipeline(newC).Status == PipelineStatuses.Canceled, because: "C's pipeline to be cancelled");
        (await world.QueryAsync<long>("SELECT count(*) FROM cars WHERE drop_reason = 'removed_by_user'")).ShouldBe(2);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, c.Iid).Any(n => n.Body.Contains("removed this merge request from the merge train (removed by alice)", StringComparison.Ordinal)),
            because: "a note on C naming who removed it");

        // A alone remains, untouched; removing what is not on a train is a 404.
        using var active = await world.Api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains?scope=active");
        var cars = await active.Content.ReadFromJsonAsync<JsonElement>();
        cars.EnumerateArray().Select(car => car.GetProperty("merge_request").GetProperty("iid").GetInt64()).ShouldBe([a.Iid]);
        cars[0].GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineA);
        using var again = await world.Api.DeleteAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{b.Iid}");
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
