using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Everything a scenario needs, for real: the fake GitLab (real HTTP, real bare repositories, a CI
/// simulator that lints the actual commits), a PostgreSQL database, and the MergeTrain server on
/// Kestrel configured against them, with GitLab's webhook pointed at it.
/// </summary>
internal sealed class TrainWorld : IAsyncDisposable
{
    public const long ProjectId = 42;
    public const string ProjectPath = "acme/widgets";
    public const string WebhookSecret = "webhook-secret-for-tests";
    public const string AdminToken = "admin-token-for-tests";
    public const string DeveloperToken = "developer-token-for-tests";

    private TrainWorld(FakeGitLab.FakeGitLab gitLab, FakeProject project, RunningServer server, string dataDirectory, string connectionString, FakeWebhook hook)
    {
        GitLab = gitLab;
        Project = project;
        Server = server;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
        Hook = hook;
        Api = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add("PRIVATE-TOKEN", DeveloperToken);
    }

    public FakeGitLab.FakeGitLab GitLab { get; }

    public FakeProject Project { get; }

    public RunningServer Server { get; }

    public string DataDirectory { get; }

    /// <summary>The service's database.</summary>
    public string ConnectionString { get; }

    /// <summary>GitLab's webhook pointing at the service.</summary>
    public FakeWebhook Hook { get; }

    /// <summary>The service's own bare repository of the project (SPEC section 5).</summary>
    public string ServiceRepository => Path.Combine(DataDirectory, "repositories", $"{ProjectId}.git");

    /// <summary>The car pipelines the service started in GitLab, oldest first.</summary>
    public IReadOnlyList<FakePipeline> CarPipelines =>
        [.. GitLab.Pipelines.Where(p => p.Ref.StartsWith("merge-train/", StringComparison.Ordinal)).OrderBy(p => p.Id)];

    /// <summary>The merge trains API as a developer.</summary>
    public HttpClient Api { get; }

    public static Task<TrainWorld> StartAsync(IReadOnlyDictionary<string, string> files, int maxParallelPipelines = 20, params string[] settings) =>
        StartAsync(files, maxParallelPipelines, _ => settings);

    /// <summary>As the other overload, with settings that depend on the running fake GitLab (they win over the defaults).</summary>
    public static async Task<TrainWorld> StartAsync(
        IReadOnlyDictionary<string, string> files, int maxParallelPipelines, Func<FakeGitLab.FakeGitLab, string[]> settingsFor, Action<IServiceCollection>? overrideServices = null)
    {
        var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(150) });
        var settings = settingsFor(gitLab);
        var project = await gitLab.AddProjectAsync(ProjectId, ProjectPath, files);
        var dataDirectory = TestDirectory.CreateShared("mergetrain-e2e-");
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var server = await RunningServer.StartAsync(
            overrideServices,
            [.. ServerSettings(connectionString, dataDirectory, gitLab.BaseUrl, gitLab.Token, project.RepositoryUrl, maxParallelPipelines), .. settings]);
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        var hook = gitLab.AddWebhook(new Uri(server.Client.BaseAddress!, "/webhooks/gitlab"), WebhookSecret);
        return new TrainWorld(gitLab, project, server, dataDirectory, connectionString, hook);
    }

    /// <summary>The configuration of a server of this world, as command-line settings.</summary>
    public static string[] ServerSettings(string connectionString, string dataDirectory, Uri gitLabUrl, string gitLabToken, string repositoryUrl, int maxParallelPipelines = 20) =>
    [
        $"--MergeTrain:ConnectionString={connectionString}",
        $"--MergeTrain:DataDirectory={dataDirectory}",
        "--MergeTrain:ApiTokens:0:Name=ops", $"--MergeTrain:ApiTokens:0:Token={AdminToken}", "--MergeTrain:ApiTokens:0:Role=admin",
        "--MergeTrain:ApiTokens:1:Name=alice", $"--MergeTrain:ApiTokens:1:Token={DeveloperToken}", "--MergeTrain:ApiTokens:1:Role=developer",
        $"--MergeTrain:Projects:0:Id={ProjectId}",
        $"--MergeTrain:Projects:0:Path={ProjectPath}",
        $"--MergeTrain:Projects:0:GitLabUrl={gitLabUrl}",
        $"--MergeTrain:Projects:0:GitLabToken={gitLabToken}",
        $"--MergeTrain:Projects:0:WebhookSecret={WebhookSecret}",
        $"--MergeTrain:Projects:0:RepositoryUrl={repositoryUrl}",
        $"--MergeTrain:Projects:0:MaxParallelPipelines={maxParallelPipelines}",
        "--MergeTrain:Jobs:SweepEvery=00:00:01",
        "--MergeTrain:Jobs:LostAfter=00:00:02",
    ];

    public Task<FakeMergeRequest> OpenMergeRequestAsync(string branch, string title, IReadOnlyDictionary<string, string?> files) =>
        GitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec(branch, title) { Files = files });

    /// <summary>
    /// MRs A, B and C, each adding a file of its own, added in that order with pipelines held;
    /// each with the pipeline of its first car.
    /// </summary>
    public async Task<((FakeMergeRequest Mr, long Pipeline) A, (FakeMergeRequest Mr, long Pipeline) B, (FakeMergeRequest Mr, long Pipeline) C)> HeldTrainOfThreeAsync()
    {
        var mrs = new List<FakeMergeRequest>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            mrs.Add(await OpenMergeRequestAsync(name, name.ToUpperInvariant(), new Dictionary<string, string?> { [$"{name}.txt"] = $"{name}\n" }));
        }

        GitLab.Ci.HoldPipelines = true;
        foreach (var mr in mrs)
        {
            using var added = await AddThroughApiAsync(mr.Iid);
            added.EnsureSuccessStatusCode();
        }

        var pipelines = new List<long>();
        foreach (var mr in mrs)
        {
            pipelines.Add(await WaitForPipelineAsync(mr.Iid));
        }

        return ((mrs[0], pipelines[0]), (mrs[1], pipelines[1]), (mrs[2], pipelines[2]));
    }

    /// <summary>Adds an MR through the REST API and returns the answer.</summary>
    public Task<HttpResponseMessage> AddThroughApiAsync(long iid, string? sha = null) =>
        Api.PostAsync($"/api/v4/projects/{ProjectId}/merge_trains/merge_requests/{iid}" + (sha is null ? "" : $"?sha={sha}"), null);

    /// <summary>The car of an MR as the API shows it, or null.</summary>
    public async Task<JsonElement?> CarAsync(long iid)
    {
        // include_dropped (MergeTrain's extension): the tests follow a car to its end, dropped included.
        using var response = await Api.GetAsync($"/api/v4/projects/{ProjectId}/merge_trains/merge_requests/{iid}?include_dropped=true");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    /// <summary>Waits until the MR's car has <paramref name="status"/>, and returns it.</summary>
    public async Task<JsonElement> WaitForCarAsync(long iid, string status, TimeSpan? timeout = null)
    {
        JsonElement? last = null;
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (DateTime.UtcNow < deadline)
        {
            last = await CarAsync(iid);
            if (last is { } car && car.GetProperty("status").GetString() == status)
            {
                return car;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"car !{iid} never became {status}; last seen: {last?.ToString() ?? "no car"}");
    }

    /// <summary>Waits until the MR's car has a pipeline, and returns its id.</summary>
    public async Task<long> WaitForPipelineAsync(long iid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            if (await CarAsync(iid) is { } car && car.GetProperty("pipeline").ValueKind == JsonValueKind.Object)
            {
                return car.GetProperty("pipeline").GetProperty("id").GetInt64();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"car !{iid} never got a pipeline");
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails after <paramref name="timeout"/> (default 15 s) saying what was awaited.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {because}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the car of <paramref name="iid"/> has a pipeline other than <paramref name="previous"/>, and returns its id.</summary>
    public async Task<long> WaitForNewPipelineAsync(long iid, long previous)
    {
        var current = previous;
        await WaitUntilAsync(
            async () =>
            {
                if (await CarAsync(iid) is { } car && car.GetProperty("pipeline") is { ValueKind: JsonValueKind.Object } pipeline)
                {
                    current = pipeline.GetProperty("id").GetInt64();
                }

                return current != previous;
            },
            $"a new pipeline for !{iid} (the old one was #{previous})");
        return current;
    }

    /// <summary>One value from the service's database.</summary>
    public async Task<T> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until the service has nothing left to do: every accepted delivery processed, no work
    /// requested, and no Hangfire job enqueued or running (the recurring maintenance jobs aside).
    /// Lets a test assert that something did <em>not</em> happen without sleeping.
    /// </summary>
    public Task WaitUntilQuietAsync(TimeSpan? timeout = null) => WaitUntilAsync(
        async () => await QueryAsync<long>("""
            SELECT (SELECT count(*) FROM webhook_deliveries WHERE outcome = 'accepted' AND processed_at IS NULL)
                 + (SELECT count(*) FROM work_requests)
                 + (SELECT count(*) FROM hangfire.job
                    WHERE statename IN ('Enqueued', 'Processing') AND invocationdata::text NOT LIKE '%MaintenanceJobs%')
            """) == 0,
        "the service to finish its work",
        timeout);

    public HttpClient ClientWith(string token)
    {
        var client = new HttpClient { BaseAddress = Server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
        await GitLab.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Temp cleaning gets it later.
        }
    }
}
