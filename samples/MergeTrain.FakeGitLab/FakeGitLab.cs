using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MergeTrain.FakeGitLab.Api;
using MergeTrain.FakeGitLab.Git;
using MergeTrain.FakeGitLab.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// A stand-in for GitLab: the v4 REST API over real HTTP, projects backed by real bare git
/// repositories, GitLab's webhooks, merged detection, and a CI simulator. Start with
/// <see cref="StartAsync"/>; everything here is safe to call from many threads.
/// </summary>
public sealed partial class FakeGitLab : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeGitLabOptions _options;
    private readonly bool _ownsRoot;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string Repository, string Sha), GitCommit> _commits = new();
    private readonly GitLabStore _store = new();
    private readonly WebhookSender _sender;
    private readonly RefWatcher _watcher;
    private WebhookPayloads _payloads = null!;
    private Task _pollLoop = Task.CompletedTask;

    private FakeGitLab(WebApplication app, FakeGitLabOptions options, string root, bool ownsRoot)
    {
        _app = app;
        _options = options;
        _ownsRoot = ownsRoot;
        RootDirectory = root;
        _sender = new WebhookSender(options.GitLabVersion, options.TimeProvider);
        _watcher = new RefWatcher(_store, OnBranchesMovedAsync);
        Ci = new CiSimulator(_store, AnnouncePipelineAsync, options.TimeProvider, options.PipelineDuration, _stopping.Token);
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; GitLab clients use it as their GitLab URL.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The API root, <c>{BaseUrl}api/v4</c> (no trailing slash).</summary>
    public string ApiUrl => BaseUrl + "api/v4";

    /// <summary>The first accepted API token.</summary>
    public string Token => _options.Tokens[0];

    /// <summary>Where the bare repositories are: <c>{RootDirectory}/{project path}.git</c>.</summary>
    public string RootDirectory { get; }

    public FakeUser Developer => _options.Developer;

    public FakeUser ApiUser => _options.ApiUser;

    public CiSimulator Ci { get; }

    /// <summary>When false, no webhook is sent (to exercise a receiver's polling fallback).</summary>
    public bool WebhooksEnabled
    {
        get => _sender.Enabled;
        set => _sender.Enabled = value;
    }

    public static async Task<FakeGitLab> StartAsync(FakeGitLabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeGitLabOptions();
        var ownsRoot = options.RootDirectory is null;
        var root = options.RootDirectory ?? Directory.CreateTempSubdirectory("fake-gitlab-").FullName;
        Directory.CreateDirectory(root);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root });
        // The host program (a test or the demo) may carry its own appsettings and Kestrel endpoints;
        // none of them are GitLab's.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Url);
        var app = builder.Build();

        var fake = new FakeGitLab(app, options, root, ownsRoot);
        ApiEndpoints.Map(app, fake);
        await app.StartAsync(cancellationToken);

        fake.BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/");
        fake._sender.Instance = fake.BaseUrl.GetLeftPart(UriPartial.Authority);
        fake._payloads = new WebhookPayloads(fake.BaseUrl.GetLeftPart(UriPartial.Authority), options.TimeProvider);
        fake._pollLoop = Task.Run(fake.PollAsync, CancellationToken.None);

        return fake;
    }

    /// <summary>
    /// Creates a project backed by a new bare repository <c>{RootDirectory}/{path}.git</c> whose
    /// default branch holds one commit with <paramref name="files"/>.
    /// </summary>
    public async Task<FakeProject> AddProjectAsync(
        long id, string path, IReadOnlyDictionary<string, string>? files = null, string defaultBranch = "main", CancellationToken cancellationToken = default)
    {
        var repositoryPath = Path.Combine(RootDirectory, path + ".git");
        var repository = await BareRepository.InitAsync(repositoryPath, defaultBranch, cancellationToken);
        var initial = files?.ToDictionary(f => f.Key, f => (string?)f.Value) ?? new Dictionary<string, string?> { ["README.md"] = $"# {path}\n" };
        var sha = await repository.CommitAsync(null, initial, "Initial commit", Developer, Now, cancellationToken);
        await repository.UpdateRefAsync("refs/heads/" + defaultBranch, sha, cancellationToken);

        var project = new FakeProject(id, path, repositoryPath, defaultBranch, BaseUrl + path);
        _store.AddProject(project, repository);
        await _watcher.BaselineAsync(_store.GetProject(id), cancellationToken);

        return project;
    }

    public FakeProject GetProject(long projectId) => _store.GetProject(projectId).Project;

    /// <summary>Sets the project's merge method (<c>merge</c>, <c>rebase_merge</c>, <c>ff</c>) and squash option, as in its Merge requests settings.</summary>
    public FakeProject SetMergeSettings(long projectId, string mergeMethod, string squashOption)
    {
        string[] methods = ["merge", "rebase_merge", "ff"];
        string[] options = ["never", "default_off", "default_on", "always"];
        if (!methods.Contains(mergeMethod) || !options.Contains(squashOption))
        {
            throw new ArgumentException($"GitLab has no merge method '{mergeMethod}' or squash option '{squashOption}'.");
        }

        var entry = _store.GetProject(projectId);
        lock (entry)
        {
            entry.Project = entry.Project with { MergeMethod = mergeMethod, SquashOption = squashOption };
            return entry.Project;
        }
    }

    /// <summary>Ticks or clears the MR's "squash commits when merge request is accepted".</summary>
    public FakeMergeRequest SetSquash(long projectId, long iid, bool squash) =>
        _store.UpdateMergeRequest(projectId, iid, m => m with { Squash = squash, UpdatedAt = Now }).After;

    /// <summary>Registers a webhook that receives every event of every project, with <c>X-Gitlab-Token: secretToken</c>.</summary>
    public FakeWebhook AddWebhook(Uri url, string secretToken) => _sender.Add(url, secretToken);

    public void RemoveWebhook(FakeWebhook hook) => _sender.Remove(hook);

    public IReadOnlyList<FakeMergeRequest> MergeRequests => _store.MergeRequests();

    public FakeMergeRequest GetMergeRequest(long projectId, long iid) =>
        _store.FindMergeRequest(projectId, iid) ?? throw new KeyNotFoundException($"No merge request !{iid} in project {projectId}.");

    public IReadOnlyList<FakePipeline> Pipelines => _store.Pipelines();

    public FakePipeline GetPipeline(long pipelineId) =>
        _store.FindPipeline(pipelineId) ?? throw new KeyNotFoundException($"No pipeline {pipelineId}.");

    /// <summary>All notes, oldest first: user comments and those posted through the API.</summary>
    public IReadOnlyList<FakeNote> Notes => _store.Notes();

    public IReadOnlyList<FakeNote> NotesOn(long projectId, long iid) =>
        [.. _store.Notes().Where(n => n.ProjectId == projectId && n.MergeRequestIid == iid)];

    public IReadOnlyList<FakeCommitStatus> CommitStatuses => _store.Statuses();

    /// <summary>Every API request received, oldest first, including rejected ones.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _store.Requests();

    /// <summary>Every webhook delivery made, oldest first, with the receiver's status code.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => _sender.Deliveries();

    /// <summary>Sends a past delivery again with the same headers and the same bytes.</summary>
    public Task<WebhookDelivery> RedeliverAsync(WebhookDelivery delivery) => _sender.RedeliverAsync(delivery);

    public async Task<string?> GetBranchHeadAsync(long projectId, string branch, CancellationToken cancellationToken = default) =>
        await _store.GetProject(projectId).Repository.ResolveAsync("refs/heads/" + branch, cancellationToken);

    /// <summary>A file's content at a revision (branch, ref or sha), or null when absent.</summary>
    public Task<string?> ReadFileAsync(long projectId, string revision, string path, CancellationToken cancellationToken = default) =>
        _store.GetProject(projectId).Repository.ReadFileAsync(revision, path, cancellationToken);

    /// <summary>Writes a commit on <paramref name="parentSha"/> with the file changes, moving no ref.</summary>
    public Task<string> CommitAsync(
        long projectId, string parentSha, IReadOnlyDictionary<string, string?> files, string message, CancellationToken cancellationToken = default) =>
        _store.GetProject(projectId).Repository.CommitAsync(parentSha, files, message, Developer, Now, cancellationToken);

    /// <summary>Checks the repositories for pushes now instead of waiting for the next poll.</summary>
    /// <remarks>With <paramref name="waitForDeliveries"/>, returns once the resulting webhooks were delivered.</remarks>
    public async Task ScanRepositoriesAsync(bool waitForDeliveries = true, CancellationToken cancellationToken = default)
    {
        var deliveries = await _watcher.ScanAsync(ApiUser, cancellationToken);
        if (waitForDeliveries)
        {
            await Task.WhenAll(deliveries);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, or fails after <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task<T> WaitUntilAsync<T>(Func<T?> probe, TimeSpan? timeout = null, string? because = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting" + (because is null ? "." : " for " + because + "."));
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true, or fails after <paramref name="timeout"/> (default 10 s).</summary>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        WaitUntilAsync(() => condition() ? string.Empty : null, timeout, because);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _pollLoop;
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _sender.DisposeAsync();
        _watcher.Dispose();
        _stopping.Dispose();
        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(RootDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a process still holding a file must not fail the caller's cleanup.
            }
        }
    }

    internal DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    internal GitLabStore Store => _store;

    internal IReadOnlyList<string> Tokens => _options.Tokens;

    internal async Task<GitCommit> ReadCommitAsync(ProjectEntry entry, string sha, CancellationToken cancellationToken = default)
    {
        if (_commits.TryGetValue((entry.Repository.Path, sha), out var commit))
        {
            return commit;
        }

        commit = await entry.Repository.ReadCommitAsync(sha, cancellationToken);
        _commits[(entry.Repository.Path, sha)] = commit;

        return commit;
    }

    internal async Task<Task> QueueMergeRequestHookAsync(
        ProjectEntry entry, FakeUser user, FakeMergeRequest mergeRequest, string action, string? oldrev, JsonObject changes)
    {
        var lastCommit = await ReadCommitAsync(entry, mergeRequest.Sha);
        var payload = _payloads.MergeRequestHook(entry.Project, user, mergeRequest, lastCommit, action, oldrev, changes);
        // The merge checks as they stand when the hook is sent, as GitLab's payload has them.
        var status = _store.MergeStatusOf(mergeRequest);
        if (payload["object_attributes"] is JsonObject attributes)
        {
            attributes["detailed_merge_status"] = status.Detailed;
            attributes["blocking_discussions_resolved"] = status.BlockingDiscussionsResolved;
        }

        return _sender.SendAsync("Merge Request Hook", payload);
    }

    private async Task AnnouncePipelineAsync(ProjectEntry entry, FakePipeline pipeline)
    {
        var commit = await ReadCommitAsync(entry, pipeline.Sha);
        _ = _sender.SendAsync("Pipeline Hook", _payloads.PipelineHook(entry.Project, pipeline, commit));
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(_options.RefPollInterval, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await _watcher.ScanAsync(ApiUser, _stopping.Token);
                }
                catch (InvalidOperationException)
                {
                    // A git command failed while a push was half-way through; the next tick sees it whole.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
