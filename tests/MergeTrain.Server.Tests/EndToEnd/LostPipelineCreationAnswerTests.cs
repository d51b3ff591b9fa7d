using System.Net;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 11: a pipeline creation whose answer is lost (a 502 after GitLab created it) is not sent
/// again blindly: the client gives up on it as "may have happened", and the next attempt of the
/// effect looks for the pipeline and adopts it.
/// </summary>
public class LostPipelineCreationAnswerTests
{
    [Test]
    public async Task A_car_whose_pipeline_creation_was_answered_502_adopts_the_pipeline_gitlab_made_instead_of_starting_another()
    {
        const string carBranch = "merge-train/main/1";
        await using var proxy = await GitLabProxy.BadGatewayOnFirstCreationAsync(carBranch);
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, gitLab =>
        {
            proxy.Upstream = gitLab.BaseUrl;
            return [$"--MergeTrain:Projects:0:GitLabUrl={proxy.Url}"];
        });
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "1\n" });
        mr.Iid.ShouldBe(1);

        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var merged = await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(90));
        var pipelines = world.GitLab.Pipelines.Where(p => p.Ref == carBranch).Select(p => p.Id).ToList();
        var seen = $"car {merged}; GitLab's pipelines for the car: [{string.Join(", ", pipelines)}]; creations on [{string.Join(", ", proxy.CreatedRefs)}]";
        proxy.PipelineCreationsOn(carBranch).ShouldBe(1, $"the creation answered 502 was not repeated ({seen})");
        var pipeline = pipelines.ShouldHaveSingleItem(seen);
        merged.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(pipeline, $"the car adopted the pipeline GitLab made ({seen})");
    }
}
