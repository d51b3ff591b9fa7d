using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.EndToEnd;
using MergeTrain.Testing;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Jobs;

/// <summary>The service's process killed with SIGKILL in the middle of a refresh, on a real database and GitLab.</summary>
public class CrashRecoveryTests
{
    [Test]
    public async Task A_server_killed_while_starting_a_pipeline_leaves_work_that_the_next_one_finishes_doing_each_effect_once()
    {
        await using var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(150) });
        var project = await gitLab.AddProjectAsync(TrainWorld.ProjectId, TrainWorld.ProjectPath, new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        await using var holding = await GitLabProxy.HoldingAsync(gitLab.BaseUrl);
        var dataDirectory = TestDirectory.CreateShared("mergetrain-crash-");
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        gitLab.Ci.HoldPipelines = true;
        var mr = await gitLab.CreateMergeRequestAsync(TrainWorld.ProjectId, new MergeRequestSpec("feature", "Feature") { Files = new Dictionary<string, string?> { ["feature.txt"] = "1\n" } });

        // The first instance, a process of its own, talks to GitLab through the proxy that holds
        // the answer to its pipeline creation: it is killed with the pipeline created and unrecorded.
        var port = FreePort();
        using (var first = StartServerProcess(port, TrainWorld.ServerSettings(connectionString, dataDirectory, holding.Url, gitLab.Token, project.RepositoryUrl)))
        {
            using var firstApi = Api(new Uri($"http://127.0.0.1:{port}"));
            await WaitUntilReadyAsync(firstApi, first);
            (await firstApi.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{mr.Iid}", null)).StatusCode.ShouldBe(HttpStatusCode.Created);
            await holding.PipelineCreated.WaitAsync(TimeSpan.FromSeconds(60));
            first.Kill();
            await first.WaitForExitAsync();
        }

        var created = gitLab.Pipelines.ShouldHaveSingleItem("GitLab created the car's pipeline before the kill");

        // The second instance, on the same database and data directory, talks to GitLab directly.
        await using var second = await RunningServer.StartAsync(
        [
            .. TrainWorld.ServerSettings(connectionString, dataDirectory, gitLab.BaseUrl, gitLab.Token, project.RepositoryUrl),
            "--MergeTrain:PipelinePolling:QuietFor=00:00:01", "--MergeTrain:PipelinePolling:Every=00:00:01",
        ]);
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var api = Api(second.Client.BaseAddress!);

        // Within a sweep of the lock rows the dead server's Hangfire schedulers left (20 s) and the sweeper's round.
        var car = await WaitForCarAsync(api, mr.Iid, c => c.GetProperty("pipeline").ValueKind == JsonValueKind.Object, "the car to have its pipeline again");
        car.GetProperty("pipeline").GetProperty("id").GetInt64().ShouldBe(created.Id, "the pipeline GitLab already had is adopted, not started again");
        gitLab.Ci.ReleaseAll();
        await WaitForCarAsync(api, mr.Iid, c => c.GetProperty("status").GetString() == "merged", "the car to merge");

        // The merge note is the car's last effect, after the merge itself.
        await TrainWorld.WaitUntilAsync(
            () => Task.FromResult(gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body.StartsWith("merged by the merge train", StringComparison.Ordinal))),
            "the merge note");
        await TrainWorld.WaitUntilAsync(async () => await WorkLeftAsync(connectionString) == 0, "the train to have nothing left to do");
        gitLab.Pipelines.Where(p => p.Ref.StartsWith("merge-train/", StringComparison.Ordinal)).ShouldHaveSingleItem("no pipeline was started twice");
        var notes = gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Select(n => n.Body).ToList();
        notes.ShouldBe(notes.Distinct().ToList(), "no note was posted twice");
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(car.GetProperty("pipeline").GetProperty("sha").GetString(), "the target holds exactly the tested commit");
        TryDelete(dataDirectory);
    }

    private static async Task<long> WorkLeftAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM work_requests) + (SELECT count(*) FROM train_effects WHERE state <> 'done')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Process StartServerProcess(int port, string[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MergeTrain.Server.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the server process did not start");

        // Drained so that a chatty server never blocks on a full pipe; shown if the test fails.
        process.OutputDataReceived += (_, line) => TestContext.Progress.WriteLine($"[first] {line.Data}");
        process.ErrorDataReceived += (_, line) => TestContext.Progress.WriteLine($"[first] {line.Data}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, Process process)
    {
        await TrainWorld.WaitUntilAsync(
            async () =>
            {
                process.HasExited.ShouldBeFalse("the first server died on its own");
                try
                {
                    using var response = await client.GetAsync("/readyz");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the first server to be ready",
            TimeSpan.FromSeconds(60));
    }

    private static async Task<JsonElement> WaitForCarAsync(HttpClient api, long iid, Func<JsonElement, bool> condition, string because)
    {
        JsonElement car = default;
        await TrainWorld.WaitUntilAsync(
            async () =>
            {
                using var response = await api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{iid}");
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                car = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                return condition(car);
            },
            because,
            TimeSpan.FromSeconds(60));
        return car;
    }

    private static HttpClient Api(Uri address)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TrainWorld.AdminToken);
        return client;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp cleaning gets it later.
        }
    }
}
