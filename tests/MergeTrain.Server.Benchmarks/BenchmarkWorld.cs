using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Testing;
using Microsoft.AspNetCore.Builder;

namespace MergeTrain.Server.Benchmarks;

/// <summary>The fake GitLab, a test PostgreSQL database and the real server on Kestrel, wired as in the end-to-end tests.</summary>
internal sealed class BenchmarkWorld : IAsyncDisposable
{
    public const long ProjectId = 42;
    public const string WebhookSecret = "benchmark-webhook-secret";
    public const string Token = "benchmark-token";

    private readonly WebApplication _server;
    private readonly string _dataDirectory;

    private BenchmarkWorld(FakeGitLab.FakeGitLab gitLab, FakeProject project, WebApplication server, Uri address, string dataDirectory)
    {
        GitLab = gitLab;
        Project = project;
        _server = server;
        _dataDirectory = dataDirectory;
        Address = address;
        Api = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Add("PRIVATE-TOKEN", Token);
    }

    public FakeGitLab.FakeGitLab GitLab { get; }

    public FakeProject Project { get; }

    public Uri Address { get; }

    /// <summary>The server's services: Hangfire's client, as the server itself enqueues with it.</summary>
    public IServiceProvider Services => _server.Services;

    public HttpClient Api { get; }

    public static async Task<BenchmarkWorld> StartAsync()
    {
        var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.Zero });
        var project = await gitLab.AddProjectAsync(ProjectId, "acme/widgets", new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var dataDirectory = TestDirectory.CreateShared("mergetrain-server-benchmark-");
        var server = MergeTrainServer.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}",
            $"--MergeTrain:DataDirectory={dataDirectory}",
            "--MergeTrain:ApiTokens:0:Name=bench", $"--MergeTrain:ApiTokens:0:Token={Token}", "--MergeTrain:ApiTokens:0:Role=admin",
            $"--MergeTrain:Projects:0:Id={ProjectId}",
            $"--MergeTrain:Projects:0:Path={project.Path}",
            $"--MergeTrain:Projects:0:GitLabUrl={gitLab.BaseUrl}",
            $"--MergeTrain:Projects:0:GitLabToken={gitLab.Token}",
            $"--MergeTrain:Projects:0:WebhookSecret={WebhookSecret}",
            $"--MergeTrain:Projects:0:RepositoryUrl={project.RepositoryUrl}",
            // Only car pipelines: merged results pipelines would add held pipelines of their own.
            "--MergeTrain:Projects:0:MergedResultsPipelines=false",
        ]);
        await server.StartAsync();
        var address = new Uri(server.Urls.Single());
        var world = new BenchmarkWorld(gitLab, project, server, address, dataDirectory);
        await world.WaitUntilReadyAsync();
        gitLab.AddWebhook(new Uri(address, "/webhooks/gitlab"), WebhookSecret);
        return world;
    }

    /// <summary>The car of an MR as the API shows it, or null.</summary>
    public async Task<JsonElement?> CarAsync(long iid)
    {
        using var response = await Api.GetAsync($"/api/v4/projects/{ProjectId}/merge_trains/merge_requests/{iid}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    /// <summary>Polls the car until <paramref name="done"/> holds, and returns it.</summary>
    public async Task<JsonElement> WaitForCarAsync(long iid, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await CarAsync(iid) is { } car && done(car))
            {
                return car;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"car !{iid} never {what}");
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
        await GitLab.DisposeAsync();
        await TestPostgres.StopAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Temp cleaning gets it later.
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await Api.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the server never became ready");
            }

            await Task.Delay(100);
        }
    }
}
