using System.Net;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>SPEC section 3, "Build": only the first <c>MaxParallelPipelines</c> cars run pipelines.</summary>
public class MaxParallelPipelinesTests
{
    [Test]
    public async Task Only_the_first_MaxParallelPipelines_cars_run_pipelines_and_a_merge_makes_room_for_the_next()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" }, maxParallelPipelines: 2);
        var gitLab = world.GitLab;
        var mrs = new List<FakeMergeRequest>();
        for (var i = 1; i <= 4; i++)
        {
            mrs.Add(await world.OpenMergeRequestAsync($"mr-{i}", $"MR {i}", new Dictionary<string, string?> { [$"file-{i}.txt"] = $"{i}\n" }));
        }

        gitLab.Ci.HoldPipelines = true;
        foreach (var mr in mrs)
        {
            (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var first = await world.WaitForPipelineAsync(mrs[0].Iid);
        await world.WaitForPipelineAsync(mrs[1].Iid);
        await world.WaitUntilQuietAsync();

        world.CarPipelines.Count.ShouldBe(2, "with MaxParallelPipelines = 2 only two car pipelines exist");
        foreach (var waiting in mrs.Skip(2))
        {
            var car = (await world.CarAsync(waiting.Iid))!.Value;
            car.GetProperty("status").GetString().ShouldBe("idle");
            car.GetProperty("pipeline").ValueKind.ShouldBe(JsonValueKind.Null);
        }

        // Car 1 passes and merges: car 3 gets its pipeline, car 4 still waits.
        gitLab.Ci.Release(first).ShouldBeTrue();
        await world.WaitForCarAsync(mrs[0].Iid, "merged");
        var third = await world.WaitForPipelineAsync(mrs[2].Iid);
        await world.WaitUntilQuietAsync();

        world.CarPipelines.Count(p => !p.IsFinished).ShouldBe(2);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, gitLab.GetPipeline(third).Sha))[0]
            .ShouldBe(gitLab.GetPipeline(await world.WaitForPipelineAsync(mrs[1].Iid)).Sha, "car 3 is built on car 2");
        (await world.CarAsync(mrs[3].Iid))!.Value.GetProperty("pipeline").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
