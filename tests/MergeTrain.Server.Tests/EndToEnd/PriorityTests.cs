using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.Dashboard;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Priorities (issue 12, part 3), through the real server and the fake GitLab: a high-priority MR,
/// added by the API's <c>priority</c> or by the <c>merge-train::high</c> label, overtakes the cars
/// that have not started merging; the cars ahead of its place keep their pipelines, the cars behind
/// get new ones, and the train merges in its new order.
/// </summary>
public class PriorityTests
{
    [Test]
    public async Task High_priority_MRs_overtake_held_cars_without_rebuilding_the_cars_ahead_and_merge_in_the_new_order()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var mainBefore = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        var ((a, pipelineA), (b, pipelineB), (c, pipelineC)) = await world.HeldTrainOfThreeAsync();
        var urgent = await world.OpenMergeRequestAsync("urgent", "Urgent fix", new Dictionary<string, string?> { ["urgent.txt"] = "now\n" });
        var hotfix = await world.OpenMergeRequestAsync("hotfix", "Hotfix", new Dictionary<string, string?> { ["hotfix.txt"] = "now\n" });

        // An unknown priority is the client's error, and changes nothing.
        using (var unknown = await world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{urgent.Iid}?priority=urgent", null))
        {
            unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString()!.ShouldContain("priority must be one of normal, high");
        }

        (await world.CarAsync(urgent.Iid)).ShouldBeNull();

        // 1. The API's priority=high puts it first: no car had started merging. All three are rebuilt on it.
        using (var added = await world.Api.PostAsync(
            $"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{urgent.Iid}", JsonContent.Create(new { priority = "high" })))
        {
            added.StatusCode.ShouldBe(HttpStatusCode.Created);
            var cars = (await added.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
            var car = cars.Single(car => car.GetProperty("merge_request").GetProperty("iid").GetInt64() == urgent.Iid);
            car.GetProperty("priority").GetString().ShouldBe("high");
            cars.Where(other => other.GetProperty("merge_request").GetProperty("iid").GetInt64() != urgent.Iid)
                .Count(other => other.TryGetProperty("priority", out _)).ShouldBe(0, "a normal car stays GitLab's object field for field");
        }

        var pipelineUrgent = await world.WaitForPipelineAsync(urgent.Iid);
        var urgentSha = gitLab.GetPipeline(pipelineUrgent).Sha;
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, urgentSha)).ShouldBe([mainBefore!, urgent.Sha]);
        gitLab.GetPipeline(pipelineUrgent).Variables["MERGE_TRAIN_POSITION"].ShouldBe("1");
        var secondA = await world.WaitForNewPipelineAsync(a.Iid, pipelineA);
        var secondB = await world.WaitForNewPipelineAsync(b.Iid, pipelineB);
        var secondC = await world.WaitForNewPipelineAsync(c.Iid, pipelineC);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(secondA).Sha)).ShouldBe([urgentSha, a.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => new[] { pipelineA, pipelineB, pipelineC }.All(id => gitLab.GetPipeline(id).Status == PipelineStatuses.Canceled),
            because: "the old pipelines of the overtaken cars to be cancelled");
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, urgent.Iid).Any(n => n.Body.Contains("added this merge request to the merge train at position 1 with high priority", StringComparison.Ordinal)),
            because: "the note giving the urgent MR's position and priority");

        // 2. The priority label adds the hotfix behind the urgent MR, the last high-priority car:
        //    the urgent car keeps its commit and pipeline, A, B and C are rebuilt once more.
        await gitLab.AddLabelAsync(TrainWorld.ProjectId, hotfix.Iid, "merge-train::high");
        var pipelineHotfix = await world.WaitForPipelineAsync(hotfix.Iid);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(pipelineHotfix).Sha)).ShouldBe([urgentSha, hotfix.Sha]);
        gitLab.GetPipeline(pipelineHotfix).Variables["MERGE_TRAIN_POSITION"].ShouldBe("2");
        var thirdA = await world.WaitForNewPipelineAsync(a.Iid, secondA);
        var thirdB = await world.WaitForNewPipelineAsync(b.Iid, secondB);
        var thirdC = await world.WaitForNewPipelineAsync(c.Iid, secondC);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(thirdA).Sha)).ShouldBe([gitLab.GetPipeline(pipelineHotfix).Sha, a.Sha]);
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(urgent.Iid))!.Value.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipelineUrgent);
        gitLab.GetPipeline(pipelineUrgent).IsFinished.ShouldBeFalse("the car ahead of the hotfix's place keeps its running pipeline");
        world.CarPipelines.Count(p => p.Ref == $"merge-train/main/{urgent.Iid}").ShouldBe(1, "the car ahead got no new pipeline");
        (await world.CarAsync(hotfix.Iid))!.Value.GetProperty("priority").GetString().ShouldBe("high");
        gitLab.NotesOn(TrainWorld.ProjectId, hotfix.Iid)
            .ShouldContain(n => n.Body.Contains("added this merge request to the merge train at position 2 with high priority", StringComparison.Ordinal));

        // 3. The label on C, already on the train, raises its priority: it moves behind the hotfix,
        //    the two high-priority cars ahead keep their pipelines, C, A and B get new ones.
        await gitLab.AddLabelAsync(TrainWorld.ProjectId, c.Iid, "merge-train::high");
        var fourthC = await world.WaitForNewPipelineAsync(c.Iid, thirdC);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(fourthC).Sha)).ShouldBe([gitLab.GetPipeline(pipelineHotfix).Sha, c.Sha]);
        var fourthA = await world.WaitForNewPipelineAsync(a.Iid, thirdA);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(fourthA).Sha)).ShouldBe([gitLab.GetPipeline(fourthC).Sha, a.Sha]);
        await world.WaitForNewPipelineAsync(b.Iid, thirdB);
        await world.WaitUntilQuietAsync();
        world.CarPipelines.Count(p => p.Ref == $"merge-train/main/{urgent.Iid}").ShouldBe(1);
        world.CarPipelines.Count(p => p.Ref == $"merge-train/main/{hotfix.Iid}").ShouldBe(1);
        gitLab.NotesOn(TrainWorld.ProjectId, c.Iid)
            .ShouldContain(n => n.Body.Contains("raised this merge request to high priority: moved from position 5 to position 3", StringComparison.Ordinal));

        // The dashboard's Trains page draws the new order and marks the high-priority cars.
        using (var dashboard = new DashboardSession(world.Server.Client.BaseAddress!, TrainWorld.DeveloperToken))
        {
            var page = await dashboard.PageAsync("/hangfire/trains");
            var cars = page.Split("aria-label=\"car !").Skip(1).ToList();
            cars.Select(car => long.Parse(car[..car.IndexOf('"', StringComparison.Ordinal)])).ShouldBe([urgent.Iid, hotfix.Iid, c.Iid, a.Iid, b.Iid]);
            cars.Select(car => car.Contains(">high priority</span>", StringComparison.Ordinal)).ShouldBe([true, true, true, false, false]);
        }

        // 4. Everything passes: the target takes the cars in the train's new order, each exactly its tested commit.
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(b.Iid, "merged");
        var history = await GitLog.FirstParentHistoryAsync(world.Project.RepositoryUrl, "main");
        var mergedHeads = new List<string>();
        foreach (var commit in history.TakeWhile(commit => commit != mainBefore))
        {
            mergedHeads.Add((await GitLog.ParentsAsync(world.Project.RepositoryUrl, commit))[1]);
        }

        mergedHeads.ShouldBe([b.Sha, a.Sha, c.Sha, hotfix.Sha, urgent.Sha], "newest first: urgent, hotfix, C, then A and B");
        history.ShouldContain(urgentSha, "the urgent car merged exactly the commit its first pipeline tested");
    }
}
