using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.Chaos;
using MergeTrain.Server.Tests.EndToEnd;
using MergeTrain.Testing;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Jobs;

/// <summary>Issue 11, part 1: a dead instance's work is taken over by a live one within seconds, by the takeover watcher at its shipped setting.</summary>
public class TakeoverTests
{
    [Test]
    public async Task A_train_whose_instance_was_killed_mid_run_is_taken_over_by_the_other_within_seconds()
    {
        await using var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(150) });
        var project = await gitLab.AddProjectAsync(TrainWorld.ProjectId, TrainWorld.ProjectPath, new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        await using var holding = await GitLabProxy.HoldingAsync(gitLab.BaseUrl);
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var root = TestDirectory.CreateShared("mergetrain-takeover-");
        var mr = await gitLab.CreateMergeRequestAsync(TrainWorld.ProjectId, new MergeRequestSpec("feature", "Feature") { Files = new Dictionary<string, string?> { ["feature.txt"] = "1\n" } });

        // The sweep is put out of the way (every 10 minutes, for work lost for 10 minutes), so
        // that only the takeover watcher, at its shipped TakeoverEvery, can pick the train up: the
        // sweep alone would take up to SweepEvery + LostAfter (20 s by default).
        // One data directory for both instances, as the chaos suite runs them (see ChaosTrainTests).
        var dataDirectory = Path.Combine(root, "data");
        string[] Settings(Uri gitLabUrl) =>
        [
            .. TrainWorld.ServerSettings(connectionString, dataDirectory, gitLabUrl, gitLab.Token, project.RepositoryUrl)
                .Where(setting => !setting.StartsWith("--MergeTrain:Jobs:", StringComparison.Ordinal)),
            "--MergeTrain:Jobs:SweepEvery=00:10:00", "--MergeTrain:Jobs:LostAfter=00:10:00",
            // No webhook here: the car's pipeline, finished long before, is learnt by polling.
            "--MergeTrain:PipelinePolling:QuietFor=00:00:01", "--MergeTrain:PipelinePolling:Every=00:00:01",
        ];

        // Instance A is a process of its own whose GitLab holds the answer to its pipeline creation:
        // its train's run is stuck inside an effect, holding the train's lock, when it is killed.
        using var first = new ServiceInstance("a", dataDirectory, Settings(holding.Url));
        first.Start();
        await TrainWorld.WaitUntilAsync(first.IsReadyAsync, "instance a to be ready", TimeSpan.FromSeconds(60));
        (await first.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{mr.Iid}", null)).StatusCode.ShouldBe(HttpStatusCode.Created);
        await holding.PipelineCreated.WaitAsync(TimeSpan.FromSeconds(60));

        // Instance B, on the same database, talks to GitLab directly.
        await using var second = await RunningServer.StartAsync(Settings(gitLab.BaseUrl));
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        second.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TrainWorld.AdminToken);

        // Both start-up sweeps done (A's and B's), so that neither can be what picks the train up.
        await TrainWorld.WaitUntilAsync(
            async () =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded' AND invocationdata::text LIKE '%\"Sweep\"%'", connection);
                return (long)(await command.ExecuteScalarAsync())! >= 2;
            },
            "both instances' start-up sweeps",
            TimeSpan.FromSeconds(60));

        var killed = Stopwatch.StartNew();
        await first.KillAsync();
        await TrainWorld.WaitUntilAsync(
            async () =>
            {
                using var response = await second.Client.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{mr.Iid}");
                return response.IsSuccessStatusCode
                    && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pipeline").ValueKind == JsonValueKind.Object;
            },
            "instance b to take the train over and record the car's pipeline",
            TimeSpan.FromSeconds(60));
        var takeover = killed.Elapsed;
        TestContext.Out.WriteLine($"takeover after SIGKILL of the instance running the train: {takeover.TotalSeconds:F1} s");

        // TakeoverEvery (1 s) and a job's start.
        takeover.ShouldBeLessThan(TimeSpan.FromSeconds(5), "the dead instance's lock went with its connection, and the live instance saw that");
        gitLab.Pipelines.Where(p => p.Ref.StartsWith("merge-train/", StringComparison.Ordinal)).ShouldHaveSingleItem("the pipeline A created is adopted, not started again");
        await TrainWorld.WaitUntilAsync(
            () => Task.FromResult(gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State == MergeRequestStates.Merged), "the MR to be merged", TimeSpan.FromSeconds(60));
    }
}
