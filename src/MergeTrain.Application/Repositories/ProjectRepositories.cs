using System.Collections.Concurrent;
using MergeTrain.Application.Configuration;
using MergeTrain.Git;
using Microsoft.Extensions.Options;

namespace MergeTrain.Application.Repositories;

/// <summary>One <see cref="ProjectRepository"/> per configured project, opened on first use and shared (it is thread-safe).</summary>
public sealed class ProjectRepositories(IOptions<MergeTrainOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>Who the car commits are by.</summary>
    public static readonly GitIdentity Committer = new("MergeTrain", "mergetrain@localhost");

    private readonly ConcurrentDictionary<long, Lazy<ProjectRepository>> _repositories = new();
    private readonly ConcurrentDictionary<long, FetchCoalescer> _fetches = new();

    /// <summary>Fetches <paramref name="project"/>'s repository, sharing the fetch with concurrent callers.</summary>
    public Task FetchAsync(ConfiguredProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var repository = For(project);
        return _fetches.GetOrAdd(project.Id, _ => new FetchCoalescer(repository.Fetch)).FetchAsync();
    }

    /// <summary>The repository of <paramref name="project"/>.</summary>
    public ProjectRepository For(ConfiguredProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return _repositories.GetOrAdd(project.Id, _ => new Lazy<ProjectRepository>(() => ProjectRepository.Open(
            new ProjectRepositorySettings(options.Value.DataDirectoryFullPath, project.Id, project.RepositoryUrl)
            {
                Token = project.GitLab.Token,
                Committer = Committer,
            },
            clock))).Value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var repository in _repositories.Values.Where(r => r.IsValueCreated))
        {
            repository.Value.Dispose();
        }
    }
}
