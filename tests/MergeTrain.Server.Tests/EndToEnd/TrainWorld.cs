using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Testing;

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

    private TrainWorld(FakeGitLab.FakeGitLab gitLab, FakeProject project, RunningServer server, string dataDirectory)
    {
        GitLab = gitLab;
        Project = project;
        Server = server;
        DataDirectory = dataDirectory;
        Api = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add("PRIVATE-TOKEN", DeveloperToken);
    }

    public FakeGitLab.FakeGitLab GitLab { get; }

    public FakeProject Project { get; }

    public RunningServer Server { get; }

    public string DataDirectory { get; }

    /// <summary>The merge trains API as a developer.</summary>
    public HttpClient Api { get; }

    public static async Task<TrainWorld> StartAsync(IReadOnlyDictionary<string, string> files, int maxParallelPipelines = 20, params string[] settings)
    {
        var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(150) });
        var project = await gitLab.AddProjectAsync(ProjectId, ProjectPath, files);
        var dataDirectory = TestDirectory.CreateShared("mergetrain-e2e-");
        var server = await RunningServer.StartAsync(
        [
            $"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}",
            $"--MergeTrain:DataDirectory={dataDirectory}",
            "--MergeTrain:ApiTokens:0:Name=ops", $"--MergeTrain:ApiTokens:0:Token={AdminToken}", "--MergeTrain:ApiTokens:0:Role=admin",
            "--MergeTrain:ApiTokens:1:Name=alice", $"--MergeTrain:ApiTokens:1:Token={DeveloperToken}", "--MergeTrain:ApiTokens:1:Role=developer",
            $"--MergeTrain:Projects:0:Id={ProjectId}",
            $"--MergeTrain:Projects:0:Path={ProjectPath}",
            $"--MergeTrain:Projects:0:GitLabUrl={gitLab.BaseUrl}",
            $"--MergeTrain:Projects:0:GitLabToken={gitLab.Token}",
            $"--MergeTrain:Projects:0:WebhookSecret={WebhookSecret}",
            $"--MergeTrain:Projects:0:RepositoryUrl={project.RepositoryUrl}",
            $"--MergeTrain:Projects:0:MaxParallelPipelines={maxParallelPipelines}",
            "--MergeTrain:Jobs:PollInterval=00:00:00.200",
            .. settings,
        ]);
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        gitLab.AddWebhook(new Uri(server.Client.BaseAddress!, "/webhooks/gitlab"), WebhookSecret);
        return new TrainWorld(gitLab, project, server, dataDirectory);
    }

    public Task<FakeMergeRequest> OpenMergeRequestAsync(string branch, string title, IReadOnlyDictionary<string, string?> files) =>
        GitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec(branch, title) { Files = files });

    /// <summary>Adds an MR through the REST API and returns the answer.</summary>
    public Task<HttpResponseMessage> AddThroughApiAsync(long iid, string? sha = null) =>
        Api.PostAsync($"/api/v4/projects/{ProjectId}/merge_trains/merge_requests/{iid}" + (sha is null ? "" : $"?sha={sha}"), null);

    /// <summary>The car of an MR as the API shows it, or null.</summary>
    public async Task<JsonElement?> CarAsync(long iid)
    {
        using var response = await Api.GetAsync($"/api/v4/projects/{ProjectId}/merge_trains/merge_requests/{iid}");
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
