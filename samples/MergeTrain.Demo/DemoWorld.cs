using System.Security.Cryptography;
using MergeTrain.FakeGitLab;
using MergeTrain.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Demo;

/// <summary>
/// The demo, composed: the fake GitLab with its CI simulator and the project <c>demo/shop</c>, the
/// real MergeTrain server (embedded PostgreSQL) configured against it with GitLab's webhook pointed
/// at it, and, when enabled, scenario B followed by a stream of merge requests.
/// </summary>
public sealed class DemoWorld : IAsyncDisposable
{
    /// <summary>The name of the admin token the demo configures.</summary>
    public const string AdminTokenName = "demo-admin";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<ScenarioBResult> _scenarioB = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _traffic = Task.CompletedTask;

    private DemoWorld(WebApplication server, FakeGitLab.FakeGitLab gitLab, Uri baseAddress, string adminToken, string dataDirectory)
    {
        Server = server;
        GitLab = gitLab;
        BaseAddress = baseAddress;
        AdminToken = adminToken;
        DataDirectory = dataDirectory;
    }

    /// <summary>The MergeTrain server.</summary>
    public WebApplication Server { get; }

    public FakeGitLab.FakeGitLab GitLab { get; }

    /// <summary>Where the server answers, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri BaseAddress { get; }

    public Uri DashboardUrl => new(BaseAddress, "hangfire");

    /// <summary>The admin API token, new at every run.</summary>
    public string AdminToken { get; }

    /// <summary>The server's data directory, as a full path.</summary>
    public string DataDirectory { get; }

    /// <summary>Completes once scenario B has played (faults if it could not; never completes when the demo is disabled).</summary>
    public Task<ScenarioBResult> ScenarioB => _scenarioB.Task;

    /// <summary>Resets the data directory, starts everything, waits until the server is ready, and starts the traffic.</summary>
    public static async Task<DemoWorld> StartAsync(DemoOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(DemoWorld).Namespace!);
        var dataDirectory = await DemoDataDirectory.ResetAsync(options.DataDirectory, loggerFactory, cancellationToken);
        var gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions
        {
            // Under the data directory rather than /tmp: a killed run leaves nothing behind that the next one does not clear.
            RootDirectory = Path.Combine(dataDirectory, DemoDataDirectory.GitLabFolder),
            Tokens = [NewSecret()],
        }, cancellationToken);
        gitLab.Ci.Runners = options.Runners;
        WebApplication? server = null;
        try
        {
            var project = await gitLab.AddProjectAsync(DemoProject.Id, DemoProject.Path, DemoProject.InitialFiles, DemoProject.TargetBranch, cancellationToken);
            logger.LogInformation("Fake GitLab on {GitLabUrl} with the project {ProjectPath} (id {ProjectId})", gitLab.BaseUrl, project.Path, project.Id);

            var adminToken = NewSecret();
            var webhookSecret = NewSecret();
            server = MergeTrainServer.Build([.. ServerArguments(options, dataDirectory, gitLab, project, adminToken, webhookSecret)]);
            await server.StartAsync(cancellationToken);
            var baseAddress = LoopbackAddress(server.Urls);
            await WaitUntilReadyAsync(server, baseAddress, cancellationToken);
            gitLab.AddWebhook(new Uri(baseAddress, "webhooks/gitlab"), webhookSecret);
            logger.LogInformation("MergeTrain is ready on {Address}; GitLab's webhook points at it", baseAddress);

            var world = new DemoWorld(server, gitLab, baseAddress, adminToken, dataDirectory);
            if (options.Enabled)
            {
                world.StartTraffic(options, logger);
            }
            else
            {
                logger.LogInformation("The demo traffic is off (Demo:Enabled=false): the fake GitLab and the service run, and no merge request comes");
            }

            return world;
        }
        catch
        {
            if (server is not null)
            {
                await server.StopAsync(CancellationToken.None);
                await server.DisposeAsync();
            }

            await gitLab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Returns when <paramref name="cancellationToken"/> is cancelled or the server stops by itself.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var byCaller = cancellationToken.Register(() => stopped.TrySetResult());
        using var byServer = Server.Lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
        await stopped.Task;
    }

    /// <summary>Stops the traffic, then the server (and its embedded PostgreSQL), then the fake GitLab.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _traffic;
        }
        finally
        {
            // Whatever the traffic did, the embedded PostgreSQL must not outlive the demo.
            await Server.StopAsync(CancellationToken.None);
            await Server.DisposeAsync();
            await GitLab.DisposeAsync();
            _stopping.Dispose();
        }
    }

    private void StartTraffic(DemoOptions options, ILogger logger)
    {
        var shop = new ShopGitLab(GitLab);
        var random = new DemoRandom(options.Seed);
        var stopping = _stopping.Token;
        var narrator = Task.Run(() => new TrainNarrator(shop, logger).RunAsync(stopping), CancellationToken.None);
        var play = Task.Run(async () =>
        {
            try
            {
                _scenarioB.TrySetResult(await new ScenarioB(shop, options, logger).PlayAsync(stopping));
                logger.LogInformation(
                    "From now on a steady stream of merge requests: some good, some bad (they contain {Word}), some conflicting, some hit by a flaky runner",
                    DemoProject.ForbiddenWord);
                await new MergeRequestFlow(shop, options, random, logger).RunAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                _scenarioB.TrySetCanceled(stopping);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The service is still up for anyone to look at; say what went wrong and stop playing.
                logger.LogError(error, "The demo stopped playing: {Reason}", error.Message);
                _scenarioB.TrySetException(error);
            }
        }, CancellationToken.None);
        _traffic = Task.WhenAll(narrator, play);
    }

    private static IEnumerable<string> ServerArguments(
        DemoOptions options, string dataDirectory, FakeGitLab.FakeGitLab gitLab, FakeProject project, string adminToken, string webhookSecret)
    {
        // The demo narrates; the server says only what an operator needs (override with --Logging:LogLevel:Default=Information).
        yield return "--Logging:LogLevel:Default=Warning";
        yield return "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information";
        yield return "--Logging:LogLevel:MergeTrain.Server.Database=Information";
        yield return "--Logging:LogLevel:MergeTrain.Postgres.Embedded=Information";
        if (options.Urls is { } urls)
        {
            yield return "--urls=" + urls;
        }

        yield return $"--MergeTrain:ApiTokens:0:Name={AdminTokenName}";
        yield return $"--MergeTrain:ApiTokens:0:Token={adminToken}";
        yield return "--MergeTrain:ApiTokens:0:Role=admin";
        yield return $"--MergeTrain:Projects:0:Id={project.Id}";
        yield return $"--MergeTrain:Projects:0:Path={project.Path}";
        yield return $"--MergeTrain:Projects:0:GitLabUrl={gitLab.BaseUrl}";
        yield return $"--MergeTrain:Projects:0:GitLabToken={gitLab.Token}";
        yield return $"--MergeTrain:Projects:0:WebhookSecret={webhookSecret}";
        yield return $"--MergeTrain:Projects:0:RepositoryUrl={project.RepositoryUrl}";
        yield return $"--MergeTrain:Projects:0:TrainLabel={DemoProject.TrainLabel}";

        // The user's arguments may tune the server and the project (say MaxParallelPipelines=1)...
        foreach (var argument in options.ServerArguments)
        {
            yield return argument;
        }

        // ...but the database and the data directory are those the demo has just reset.
        yield return "--MergeTrain:ConnectionString=";
        yield return $"--MergeTrain:DataDirectory={dataDirectory}";
    }

    private static async Task WaitUntilReadyAsync(WebApplication server, Uri baseAddress, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            if (server.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                throw new InvalidOperationException("The MergeTrain server stopped before it was ready; its log above says why.");
            }

            using (var response = await client.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken))
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The MergeTrain server was not ready after {ReadyTimeout.TotalMinutes} minutes.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>The first listening address, with a wildcard host replaced by 127.0.0.1 (webhooks and links need a real one).</summary>
    private static Uri LoopbackAddress(ICollection<string> urls)
    {
        var builder = new UriBuilder(urls.First());
        if (builder.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*")
        {
            builder.Host = "127.0.0.1";
        }

        builder.Path = "/";
        return builder.Uri;
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
