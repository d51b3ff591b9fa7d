using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Demo.Tests;

/// <summary>The demo, composed in-process as <c>dotnet run --project samples/MergeTrain.Demo</c> composes it, at ten times its pace.</summary>
public class DemoWorldTests
{
    private static readonly TimeSpan ScenarioLimit = TimeSpan.FromSeconds(60);

    private string _dataDirectory = null!;
    private ILoggerFactory _loggerFactory = null!;

    [SetUp]
    public void CreateDataDirectory()
    {
        // Reachable by the postgres user: as root, the embedded cluster runs as that user.
        _dataDirectory = Path.Combine(TestDirectory.CreateShared("mergetrain-demo-"), ".mergetrain");
        _loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
    }

    [TearDown]
    public void DeleteDataDirectory()
    {
        _loggerFactory.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(_dataDirectory)!, recursive: true);
        }
        catch (IOException)
        {
            // Temp cleaning gets it later.
        }
    }

    [Test]
    public async Task Scenario_B_plays_out_for_real_on_the_running_service()
    {
        await using var demo = await StartAsync(enabled: true);

        var result = await demo.ScenarioB.WaitAsync(ScenarioLimit);

        var gitLab = demo.GitLab;
        var mr1 = gitLab.GetMergeRequest(DemoProject.Id, result.FirstIid);
        var mr2 = gitLab.GetMergeRequest(DemoProject.Id, result.SecondIid);
        // MR-1 was merged by the train, as car 1.
        mr1.State.ShouldBe(MergeRequestStates.Merged);
        gitLab.GetPipeline(result.FirstCarPipelineId).Ref.ShouldBe($"merge-train/main/{result.FirstIid}");
        gitLab.NotesOn(DemoProject.Id, mr1.Iid).ShouldContain(n => n.Body == $"merged by the merge train (pipeline #{result.FirstCarPipelineId})");
        // MR-2's first car ran on top of car 1, failed on MR-1's rule, and was dropped with a note.
        var car2 = gitLab.GetPipeline(result.SecondCarPipelineId);
        car2.Ref.ShouldBe($"merge-train/main/{result.SecondIid}");
        car2.Variables["MERGE_TRAIN_POSITION"].ShouldBe("2");
        car2.Status.ShouldBe(PipelineStatuses.Failed);
        car2.Log.ShouldContain($"forbidden word '{DemoProject.ForbiddenWord}'");
        gitLab.NotesOn(DemoProject.Id, mr2.Iid).ShouldContain(
            n => n.Body == $"removed this merge request from the merge train because the pipeline did not succeed (pipeline #{result.SecondCarPipelineId} failed)");
        // The fixed MR-2 was added again and merged through a new car; main never held the violation.
        mr2.State.ShouldBe(MergeRequestStates.Merged);
        var fixedCar = gitLab.GetPipeline(result.FixedCarPipelineId);
        fixedCar.Id.ShouldBeGreaterThan(car2.Id);
        fixedCar.Status.ShouldBe(PipelineStatuses.Success);
        fixedCar.Ref.ShouldBe($"merge-train/main/{result.SecondIid}");
        fixedCar.Sha.ShouldBe(mr2.MergeCommitSha);
        (await gitLab.ReadFileAsync(DemoProject.Id, "main", "src/gift-wrapping.txt")).ShouldNotBeNull().ShouldNotContain(DemoProject.ForbiddenWord);
        // The service itself agrees, and is ready.
        using var api = ApiClient(demo);
        (await CarStatusAsync(api, result.FirstIid)).ShouldBe("merged");
        (await CarStatusAsync(api, result.SecondIid)).ShouldBe("merged");
        using var readyz = await api.GetAsync(new Uri("readyz", UriKind.Relative));
        readyz.StatusCode.ShouldBe(HttpStatusCode.OK);
        result.Elapsed.ShouldBeLessThan(ScenarioLimit);
    }

    [Test]
    public async Task A_second_run_on_the_same_data_directory_forgets_the_first_runs_trains()
    {
        await using (var first = await StartAsync(enabled: false))
        {
            var mergeRequest = await first.GitLab.CreateMergeRequestAsync(DemoProject.Id, new MergeRequestSpec("feature", "A feature")
            {
                Files = new Dictionary<string, string?> { ["feature.txt"] = "new\n" },
            });
            await first.GitLab.AddLabelAsync(DemoProject.Id, mergeRequest.Iid, DemoProject.TrainLabel);
            using var api = ApiClient(first);
            await FakeGitLab.FakeGitLab.WaitUntilAsync(() => first.GitLab.Pipelines.Any(p => p.Ref == $"merge-train/main/{mergeRequest.Iid}"), TimeSpan.FromSeconds(30));
            (await CarStatusAsync(api, mergeRequest.Iid)).ShouldNotBeNull();
        }

        // The new fake GitLab hands out !1 again: the service must not still hold a car for it.
        await using var second = await StartAsync(enabled: false);
        using var secondApi = ApiClient(second);
        (await CarStatusAsync(secondApi, 1)).ShouldBeNull();
        using var readyz = await secondApi.GetAsync(new Uri("readyz", UriKind.Relative));
        readyz.StatusCode.ShouldBe(HttpStatusCode.OK);
        File.Exists(Path.Combine(_dataDirectory, DemoDataDirectory.MarkerFileName)).ShouldBeTrue();
    }

    [Test]
    public async Task A_data_directory_the_demo_did_not_create_is_left_alone()
    {
        Directory.CreateDirectory(_dataDirectory);
        var precious = Path.Combine(_dataDirectory, "precious.txt");
        await File.WriteAllTextAsync(precious, "an operator's data\n");

        await Should.ThrowAsync<DemoDataDirectoryException>(() => StartAsync(enabled: false));

        File.Exists(precious).ShouldBeTrue();
    }

    private Task<DemoWorld> StartAsync(bool enabled) => DemoWorld.StartAsync(
        new DemoOptions
        {
            Enabled = enabled,
            Pace = 0.1,
            Seed = 1,
            DataDirectory = _dataDirectory,
            Urls = "http://127.0.0.1:0",
        },
        _loggerFactory,
        CancellationToken.None);

    private static HttpClient ApiClient(DemoWorld demo)
    {
        var client = new HttpClient { BaseAddress = demo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("PRIVATE-TOKEN", demo.AdminToken);
        return client;
    }

    /// <summary>The status of the MR's latest car through the service's GitLab-compatible API, or null when it has none.</summary>
    private static async Task<string?> CarStatusAsync(HttpClient api, long iid)
    {
        using var response = await api.GetAsync(new Uri($"api/v4/projects/{DemoProject.Id}/merge_trains/merge_requests/{iid}", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var car = await response.Content.ReadFromJsonAsync<JsonElement>();
        return car.GetProperty("status").GetString();
    }
}
