using MergeTrain.GitLab.Api;
using Microsoft.Extensions.Options;

namespace MergeTrain.GitLab.Tests.Api;

/// <summary>A <see cref="GitLabClient"/> wired to a <see cref="FakeGitLabServer"/>, with an instant clock and a recording logger.</summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    public const string Token = "test-token-not-a-real-secret-4yB";

    private readonly HttpClient _http = new();

    private ClientHarness(FakeGitLabServer server, GitLabClientOptions options, Uri? baseUrl)
    {
        Server = server;
        Connection = new GitLabConnection(baseUrl ?? server.BaseUrl, Token);
        Client = new GitLabClient(_http, Options.Create(options), Clock, Logger);
    }

    public FakeGitLabServer Server { get; }

    public GitLabClient Client { get; }

    public GitLabConnection Connection { get; }

    public InstantDelayTimeProvider Clock { get; } = new();

    public RecordingLogger<GitLabClient> Logger { get; } = new();

    public static async Task<ClientHarness> StartAsync(GitLabClientOptions? options = null, string basePath = "")
    {
        var server = await FakeGitLabServer.StartAsync();
        var baseUrl = basePath.Length == 0 ? null : new Uri(server.BaseUrl, basePath);
        return new ClientHarness(server, options ?? new GitLabClientOptions { JitterSeed = 7 }, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
