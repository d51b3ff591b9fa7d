using MergeTrain.Application.Configuration;
using MergeTrain.Application.Effects;
using MergeTrain.Application.Repositories;
using MergeTrain.Core.Trains;
using MergeTrain.FakeGitLab;
using MergeTrain.GitLab.Api;
using MergeTrain.Server.Configuration;
using MergeTrain.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Trains;

/// <summary>
/// The executor's answer to <see cref="ListBaseFailedJobs"/>, against the fake GitLab over HTTP: the
/// failed jobs of the latest finished pipeline on the commit, whatever its ref, or nothing known.
/// </summary>
public sealed class BaseFailedJobsTests
{
    private const long ProjectId = 42;

    // Configured in the service but unknown to GitLab, which answers 404 about it.
    private const long GhostProjectId = 43;

    private FakeGitLab.FakeGitLab _gitLab = null!;
    private ServiceProvider _services = null!;
    private string _dataDirectory = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _gitLab = await FakeGitLab.FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(50) });
        var project = await _gitLab.AddProjectAsync(ProjectId, "acme/widgets");
        _gitLab.Ci.JobNames = ["lint", "unit-tests", "e2e"];
        _dataDirectory = TestDirectory.CreateShared("base-failed-jobs-");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MergeTrain:DataDirectory"] = _dataDirectory,
            ["MergeTrain:Projects:0:Id"] = ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MergeTrain:Projects:0:Path"] = "acme/widgets",
            ["MergeTrain:Projects:0:GitLabUrl"] = _gitLab.BaseUrl.ToString(),
            ["MergeTrain:Projects:0:GitLabToken"] = _gitLab.Token,
            ["MergeTrain:Projects:0:WebhookSecret"] = "secret",
            ["MergeTrain:Projects:0:RepositoryUrl"] = project.RepositoryUrl,
            ["MergeTrain:Projects:1:Id"] = GhostProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MergeTrain:Projects:1:Path"] = "acme/ghost",
            ["MergeTrain:Projects:1:GitLabUrl"] = _gitLab.BaseUrl.ToString(),
            ["MergeTrain:Projects:1:GitLabToken"] = _gitLab.Token,
            ["MergeTrain:Projects:1:WebhookSecret"] = "secret",
            ["MergeTrain:Projects:1:RepositoryUrl"] = project.RepositoryUrl,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddMergeTrainOptions(configuration);
        services.AddSingleton<ProjectCatalog>();
        services.AddSingleton<ProjectRepositories>();
        services.AddGitLabClient();
        services.AddSingleton<MergeSettingsReader>();
        services.AddSingleton<TrainEffectExecutor>();
        _services = services.BuildServiceProvider();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _services.DisposeAsync();
        await _gitLab.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Test]
    public async Task The_latest_finished_pipeline_on_the_commit_names_the_failed_jobs_and_a_newer_running_one_is_passed_over()
    {
        var head = await _gitLab.PushToBranchAsync(ProjectId, "main", new Dictionary<string, string?> { ["a.txt"] = "a\n" }, "a");
        _gitLab.Ci.FailJob("main", "unit-tests", times: 1);
        var older = await FinishedPipelineAsync("main");
        _gitLab.Ci.FailJob("main", "e2e", times: 1);
        _gitLab.Ci.FailJob("main", "lint", times: 1);
        var latest = await FinishedPipelineAsync("main");
        _gitLab.Ci.HoldPipelines = true;
        var running = await StartPipelineAsync("main");

        var answer = await ListAsync(head);

        _gitLab.GetPipeline(older).Status.ShouldBe(PipelineStatuses.Failed);
        _gitLab.GetPipeline(running).IsFinished.ShouldBeFalse();
        (answer.Iid, answer.Generation, answer.BaseSha, answer.PipelineId).ShouldBe((7, 3L, head, (long?)latest));
        answer.FailedJobs.ShouldBe(["e2e", "lint"]);
        _gitLab.Ci.ReleaseAll();
    }

    [Test]
    public async Task A_commit_with_no_finished_pipeline_or_one_gitlab_refuses_is_answered_with_nothing_known()
    {
        var head = await _gitLab.PushToBranchAsync(ProjectId, "main", new Dictionary<string, string?> { ["a.txt"] = "a\n" }, "a");
        _gitLab.Ci.HoldPipelines = true;
        await StartPipelineAsync("main");

        var unfinished = await ListAsync(head);
        var refused = await ListAsync(head, GhostProjectId);

        (unfinished.BaseSha, unfinished.PipelineId).ShouldBe((head, (long?)null));
        unfinished.FailedJobs.ShouldBeEmpty();
        (refused.BaseSha, refused.PipelineId).ShouldBe((head, (long?)null));
        refused.FailedJobs.ShouldBeEmpty();
        _gitLab.Ci.ReleaseAll();
    }

    private async Task<BaseJobsListed> ListAsync(string sha, long projectId = ProjectId)
    {
        var executor = _services.GetRequiredService<TrainEffectExecutor>();
        var train = new TrainState { ProjectId = projectId, ProjectPath = "acme/widgets", TargetBranch = "main" };
        var effect = new ListBaseFailedJobs("list-base-failed-jobs/7/g3/a0", 7, 3, sha);
        var events = await executor.ExecuteAsync(train, effect, new EffectAttempt(1, false), CancellationToken.None);
        return (BaseJobsListed)events.ShouldHaveSingleItem();
    }

    private async Task<long> StartPipelineAsync(string branch)
    {
        var gitLab = _services.GetRequiredService<IGitLabApi>();
        var connection = _services.GetRequiredService<ProjectCatalog>().Find(ProjectId)!.GitLab;
        return (await gitLab.CreatePipelineAsync(connection, ProjectId, branch, new Dictionary<string, string>(), CancellationToken.None)).Id;
    }

    private async Task<long> FinishedPipelineAsync(string branch)
    {
        var id = await StartPipelineAsync(branch);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(id).IsFinished, because: $"pipeline {id} to finish");
        return id;
    }
}
