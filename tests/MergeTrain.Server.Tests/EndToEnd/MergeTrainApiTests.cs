using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 6: the GitLab-compatible merge trains API, as a GitLab client sees it.</summary>
public class MergeTrainApiTests
{
    [Test]
    public async Task Without_a_valid_token_the_api_answers_401_and_a_developer_may_not_pause_a_train()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "new\n" });
        world.GitLab.Ci.HoldPipelines = true;
        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var trains = $"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains";

        using (var anonymous = await world.Server.Client.GetAsync(trains))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await MessageAsync(anonymous)).ShouldBe("401 Unauthorized");
        }

        using (var stranger = world.ClientWith("not-a-token"))
        using (var refused = await stranger.PostAsync($"{trains}/merge_requests/{mr.Iid}", null))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var developerPause = await world.Api.PostAsync($"{trains}/main/pause", null))
        {
            developerPause.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await MessageAsync(developerPause)).ShouldBe("403 Forbidden");
        }

        // The same request with an admin token (as a Bearer token) pauses it.
        using var admin = world.ClientWith(TrainWorld.AdminToken);
        using (var adminPause = await admin.PostAsync($"{trains}/main/pause", null))
        {
            adminPause.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await world.QueryAsync<bool>("SELECT (state->>'Paused')::boolean FROM trains WHERE target_branch = 'main'")).ShouldBeTrue();
    }

    [Test]
    public async Task Adding_with_a_stale_sha_is_a_409_and_an_unknown_merge_request_is_a_404()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "new\n" });
        var updated = await world.GitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, mr.Iid, new Dictionary<string, string?> { ["feature.txt"] = "newer\n" });

        using (var stale = await world.AddThroughApiAsync(mr.Iid, mr.Sha))
        {
            stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await MessageAsync(stale)).ShouldBe($"SHA does not match HEAD of source branch: {updated.Sha}");
        }

        (await world.CarAsync(mr.Iid)).ShouldBeNull("a refused add leaves no car");

        using (var unknownAdd = await world.AddThroughApiAsync(999))
        {
            unknownAdd.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await MessageAsync(unknownAdd)).ShouldBe("404 Merge request Not Found");
        }

        using (var unknownCar = await world.Api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/999"))
        {
            unknownCar.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await MessageAsync(unknownCar)).ShouldBe("404 Merge Train Not Found");
        }

        using (var unknownProject = await world.Api.GetAsync("/api/v4/projects/7/merge_trains"))
        {
            unknownProject.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using var current = await world.AddThroughApiAsync(mr.Iid, updated.Sha);
        current.StatusCode.ShouldBe(HttpStatusCode.Created, "the head's own sha is accepted");
    }

    [Test]
    public async Task Cars_are_listed_with_GitLabs_fields_pagination_headers_and_scopes()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;

        // One car merges (complete), three stay on the train (active).
        var merged = await world.OpenMergeRequestAsync("merged", "Merged one", new Dictionary<string, string?> { ["m.txt"] = "m\n" });
        (await world.AddThroughApiAsync(merged.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await world.WaitForCarAsync(merged.Iid, "merged");
        gitLab.Ci.HoldPipelines = true;
        var active = new List<FakeMergeRequest>();
        for (var i = 1; i <= 3; i++)
        {
            active.Add(await world.OpenMergeRequestAsync($"active-{i}", $"Active {i}", new Dictionary<string, string?> { [$"a{i}.txt"] = $"{i}\n" }));
            (await world.AddThroughApiAsync(active[^1].Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var pipeline = await world.WaitForPipelineAsync(active[0].Iid);
        var trains = $"/api/v4/projects/{Uri.EscapeDataString(TrainWorld.ProjectPath)}/merge_trains";

        // scope=complete: the merged car, with GitLab's fields.
        using (var complete = await world.Api.GetAsync($"{trains}?scope=complete"))
        {
            complete.StatusCode.ShouldBe(HttpStatusCode.OK);
            var cars = await complete.Content.ReadFromJsonAsync<JsonElement>();
            cars.GetArrayLength().ShouldBe(1);
            var car = cars[0];
            car.GetProperty("status").GetString().ShouldBe("merged");
            car.GetProperty("merged_at").ValueKind.ShouldBe(JsonValueKind.String);
            car.GetProperty("duration").GetInt32().ShouldBeGreaterThanOrEqualTo(0);
            car.GetProperty("merge_request").GetProperty("state").GetString().ShouldBe("merged");
            PropertyNames(car).ShouldNotContain("index", "a finished car's object is GitLab's");
        }

        // Pagination over the active cars, oldest first.
        using (var page1 = await world.Api.GetAsync($"{trains}?scope=active&sort=asc&per_page=2"))
        {
            page1.Headers.GetValues("X-Total").Single().ShouldBe("3");
            page1.Headers.GetValues("X-Total-Pages").Single().ShouldBe("2");
            page1.Headers.GetValues("X-Page").Single().ShouldBe("1");
            page1.Headers.GetValues("X-Per-Page").Single().ShouldBe("2");
            page1.Headers.GetValues("X-Next-Page").Single().ShouldBe("2");
            page1.Headers.GetValues("X-Prev-Page").Single().ShouldBe("");
            var cars = await page1.Content.ReadFromJsonAsync<JsonElement>();
            cars.EnumerateArray().Select(c => c.GetProperty("merge_request").GetProperty("iid").GetInt64()).ShouldBe([active[0].Iid, active[1].Iid]);
        }

        using (var page2 = await world.Api.GetAsync($"{trains}/main?scope=active&sort=asc&per_page=2&page=2"))
        {
            page2.Headers.GetValues("X-Next-Page").Single().ShouldBe("");
            page2.Headers.GetValues("X-Prev-Page").Single().ShouldBe("1");
            var cars = await page2.Content.ReadFromJsonAsync<JsonElement>();
            cars.EnumerateArray().Select(c => c.GetProperty("merge_request").GetProperty("iid").GetInt64()).ShouldBe([active[2].Iid]);
        }

        using (var all = await world.Api.GetAsync(trains))
        {
            all.Headers.GetValues("X-Total").Single().ShouldBe("4");
            var cars = await all.Content.ReadFromJsonAsync<JsonElement>();
            cars[0].GetProperty("merge_request").GetProperty("iid").GetInt64().ShouldBe(active[2].Iid, "sorted newest first by default");
        }

        // One active car, field for field, once its pipeline's running hook is in.
        await TrainWorld.WaitUntilAsync(
            async () => (await world.CarAsync(active[0].Iid))?.GetProperty("pipeline").GetProperty("status").GetString() == "running",
            "the first car's pipeline to show running");
        var first = (await world.CarAsync(active[0].Iid))!.Value;
        var gitLabMr = gitLab.GetMergeRequest(TrainWorld.ProjectId, active[0].Iid);
        var fakePipeline = gitLab.GetPipeline(pipeline);
        // GitLab's fields, and MergeTrain's index extension while the car is on the train.
        PropertyNames(first).ShouldBe(
            ["id", "merge_request", "user", "pipeline", "created_at", "updated_at", "target_branch", "status", "merged_at", "duration", "index"], ignoreOrder: true);
        first.GetProperty("index").GetInt32().ShouldBe(0);
        (await world.CarAsync(active[2].Iid))!.Value.GetProperty("index").GetInt32().ShouldBe(2, "the third car, position 3");
        first.GetProperty("id").GetInt64().ShouldBeGreaterThan(0);
        first.GetProperty("target_branch").GetString().ShouldBe("main");
        first.GetProperty("status").GetString().ShouldBe("fresh");
        first.GetProperty("merged_at").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("duration").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("created_at").GetDateTimeOffset().ShouldBeLessThanOrEqualTo(first.GetProperty("updated_at").GetDateTimeOffset());

        var mergeRequest = first.GetProperty("merge_request");
        PropertyNames(mergeRequest).ShouldBe(["id", "iid", "project_id", "title", "description", "state", "created_at", "updated_at", "web_url"], ignoreOrder: true);
        mergeRequest.GetProperty("id").GetInt64().ShouldBe(gitLabMr.Id);
        mergeRequest.GetProperty("iid").GetInt64().ShouldBe(gitLabMr.Iid);
        mergeRequest.GetProperty("project_id").GetInt64().ShouldBe(TrainWorld.ProjectId);
        mergeRequest.GetProperty("title").GetString().ShouldBe("Active 1");
        mergeRequest.GetProperty("description").GetString().ShouldBe(gitLabMr.Description);
        mergeRequest.GetProperty("state").GetString().ShouldBe("opened");
        mergeRequest.GetProperty("web_url").GetString().ShouldBe(gitLabMr.WebUrl);
        mergeRequest.GetProperty("created_at").GetDateTimeOffset().ShouldBe(gitLabMr.CreatedAt, TimeSpan.FromSeconds(1));

        var user = first.GetProperty("user");
        PropertyNames(user).ShouldBe(["id", "username", "name", "state", "avatar_url", "web_url"], ignoreOrder: true);
        user.GetProperty("id").GetInt64().ShouldBe(gitLab.Developer.Id);
        user.GetProperty("username").GetString().ShouldBe(gitLab.Developer.Username);
        user.GetProperty("name").GetString().ShouldBe(gitLab.Developer.Name);
        user.GetProperty("state").GetString().ShouldBe("active");

        var carPipeline = first.GetProperty("pipeline");
        PropertyNames(carPipeline).ShouldBe(["id", "sha", "ref", "status", "created_at", "updated_at", "web_url"], ignoreOrder: true);
        carPipeline.GetProperty("id").GetInt64().ShouldBe(fakePipeline.Id);
        carPipeline.GetProperty("sha").GetString().ShouldBe(fakePipeline.Sha);
        carPipeline.GetProperty("ref").GetString().ShouldBe("merge-train/main/" + active[0].Iid);
        carPipeline.GetProperty("status").GetString().ShouldBe("running");
        carPipeline.GetProperty("web_url").GetString().ShouldBe(fakePipeline.WebUrl);

        using var invalid = await world.Api.GetAsync($"{trains}?scope=everything");
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Dropped_cars_are_not_in_GitLabs_shapes_but_include_dropped_shows_them()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        var merged = await world.OpenMergeRequestAsync("kept", "Kept", new Dictionary<string, string?> { ["k.txt"] = "k\n" });
        (await world.AddThroughApiAsync(merged.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await world.WaitForCarAsync(merged.Iid, "merged");
        var removed = await world.OpenMergeRequestAsync("removed", "Removed", new Dictionary<string, string?> { ["r.txt"] = "r\n" });
        gitLab.Ci.HoldPipelines = true;
        (await world.AddThroughApiAsync(removed.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.Api.DeleteAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{removed.Iid}")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await world.WaitForCarAsync(removed.Iid, "dropped");
        var trains = $"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains";

        // GitLab deletes a car that leaves unmerged: scope=complete holds what merged, no scope holds no dropped car.
        (await IidsAndStatusesAsync(world, $"{trains}?scope=complete")).ShouldBe([(merged.Iid, "merged")]);
        (await IidsAndStatusesAsync(world, $"{trains}/main")).ShouldBe([(merged.Iid, "merged")]);
        (await IidsAndStatusesAsync(world, $"{trains}?scope=active")).ShouldBeEmpty();
        using (var car = await world.Api.GetAsync($"{trains}/merge_requests/{removed.Iid}"))
        {
            car.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        // MergeTrain's include_dropped extension shows them, with their status.
        (await IidsAndStatusesAsync(world, $"{trains}?scope=complete&include_dropped=true&sort=asc")).ShouldBe([(merged.Iid, "merged"), (removed.Iid, "dropped")]);
        (await IidsAndStatusesAsync(world, $"{trains}?include_dropped=true")).Count.ShouldBe(2);
        using (var car = await world.Api.GetAsync($"{trains}/merge_requests/{removed.Iid}?include_dropped=true"))
        {
            car.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await car.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("dropped");
        }
    }

    private static async Task<List<(long Iid, string? Status)>> IidsAndStatusesAsync(TrainWorld world, string path)
    {
        using var response = await world.Api.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cars = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. cars.EnumerateArray().Select(c => (c.GetProperty("merge_request").GetProperty("iid").GetInt64(), c.GetProperty("status").GetString()))];
    }

    private static async Task<string?> MessageAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString();

    private static List<string> PropertyNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
