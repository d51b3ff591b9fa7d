using MergeTrain.GitLab.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MergeTrain.GitLab.Tests.Api;

/// <summary>
/// The <see cref="IGitLabApi"/> that <see cref="GitLabServiceCollectionExtensions.AddGitLabClient"/>
/// registers (so its resilience handler too), wired to a <see cref="FakeGitLabServer"/>, with an
/// instant-wait clock and a recording logger.
/// </summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    public const string Token = "test-token-not-a-real-secret-4yB";

    private readonly ServiceProvider _services;
    private readonly FakeGitLabServer? _server;

    private ClientHarness(FakeGitLabServer? server, GitLabClientOptions options, Uri baseUrl, bool realClock = false)
    {
        _server = server;
        Connection = new GitLabConnection(baseUrl, Token);
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(realClock ? TimeProvider.System : Clock);
        services.AddSingleton<ILogger<GitLabClient>>(Logger);
        services.AddGitLabClient(settings =>
        {
            settings.MaxAttempts = options.MaxAttempts;
            settings.BaseDelay = options.BaseDelay;
            settings.MaxDelay = options.MaxDelay;
            settings.AttemptTimeout = options.AttemptTimeout;
            settings.TotalTimeout = options.TotalTimeout;
            settings.JitterSeed = options.JitterSeed;
        });
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<IGitLabApi>();
    }

    /// <summary>The fake GitLab; throws for a harness pointed at a closed port.</summary>
    public FakeGitLabServer Server => _server ?? throw new InvalidOperationException("This harness has no server.");

    public IGitLabApi Client { get; }

    public GitLabConnection Connection { get; }

    public InstantDelayTimeProvider Clock { get; } = new();

    public RecordingLogger<GitLabClient> Logger { get; } = new();

    /// <summary>Starts a fake GitLab and a client for it.</summary>
    /// <param name="options">Retry settings (default: the defaults with a fixed jitter seed).</param>
    /// <param name="basePath">A sub-path GitLab is served under, if any.</param>
    /// <param name="realClock">Wait for real (<see cref="Clock"/> then sees nothing), to measure a wait on the wire.</param>
    public static async Task<ClientHarness> StartAsync(GitLabClientOptions? options = null, string basePath = "", bool realClock = false)
    {
        var server = await FakeGitLabServer.StartAsync();
        var baseUrl = basePath.Length == 0 ? server.BaseUrl : new Uri(server.BaseUrl, basePath);
        return new ClientHarness(server, options ?? new GitLabClientOptions { JitterSeed = 7 }, baseUrl, realClock);
    }

    /// <summary>A client for a GitLab at <paramref name="baseUrl"/> that this harness does not serve (a closed port, say).</summary>
    public static ClientHarness ForUnservedUrl(Uri baseUrl, GitLabClientOptions? options = null) =>
        new(null, options ?? new GitLabClientOptions { JitterSeed = 7 }, baseUrl);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }
}
