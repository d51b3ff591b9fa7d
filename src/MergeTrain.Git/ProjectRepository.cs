using System.Collections.Concurrent;
using MergeTrain.Core.Trains;

namespace MergeTrain.Git;

/// <summary>
/// A project's bare repository as the service uses it: mirror the remote, build merge-request
/// merge commits (cars and merged results), publish them as branches for CI, and fast-forward
/// target branches. Safe to use from several threads (several trains of one project) at once.
/// </summary>
/// <remarks>
/// Merges only add objects, which git's object database tolerates from many writers, so they run
/// concurrently, each on its own <see cref="BareRepository"/> handle. Everything that rewrites a
/// shared file (fetch, push, the remote's configuration, references) is serialised per repository
/// directory: within the process by a semaphore, and across processes (several instances sharing
/// one data directory) by an exclusive lock on <c>&lt;repository&gt;.lock</c>, which the kernel
/// releases when its holder dies.
/// </remarks>
public sealed class ProjectRepository : IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    private readonly ProjectRepositorySettings _settings;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate;
    private readonly ConcurrentBag<BareRepository> _handles = [];
    private bool _disposed;

    private ProjectRepository(ProjectRepositorySettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _gate = Gates.GetOrAdd(Path, _ => new SemaphoreSlim(1, 1));
    }

    /// <summary>The bare repository's directory.</summary>
    public string Path => System.IO.Path.GetFullPath(_settings.RepositoryPath);

    /// <summary>Prepares access to the project's repository; nothing is read from the remote until <see cref="Fetch"/>.</summary>
    public static ProjectRepository Open(ProjectRepositorySettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.DataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(settings.RepositoryUrl);
        var repository = new ProjectRepository(settings, time ?? TimeProvider.System);
        repository.RemoveLocksOfEarlierProcesses();
        return repository;
    }

    /// <summary>
    /// A process killed while git or libgit2 updated a reference leaves its <c>.lock</c> file behind,
    /// and every later update of that reference fails ("failed to lock file") until someone deletes
    /// it. The repository is this instance's own, so a lock older than this process was left by a
    /// process that is gone: it is removed when the repository is first opened, under the lock that
    /// instances sharing the data directory take for their writes.
    /// </summary>
    private void RemoveLocksOfEarlierProcesses()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        Exclusive(RemoveLocksOlderThanThisProcess);
    }

    private static readonly string[] TopLevelLocks = ["packed-refs.lock", "HEAD.lock", "config.lock", "index.lock", "shallow.lock"];

    private void RemoveLocksOlderThanThisProcess()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var started = self.StartTime.ToUniversalTime();
        var refs = System.IO.Path.Combine(Path, "refs");
        var candidates = (Directory.Exists(refs) ? Directory.EnumerateFiles(refs, "*.lock", SearchOption.AllDirectories) : [])
            .Concat(TopLevelLocks.Select(name => System.IO.Path.Combine(Path, name)));
        foreach (var lockFile in candidates)
        {
            var info = new FileInfo(lockFile);
            if (info.Exists && info.LastWriteTimeUtc < started)
            {
                info.Delete();
            }
        }
    }

    /// <summary>
    /// Brings every branch and merge request head up to date with the remote, cloning the
    /// repository first when it does not exist yet.
    /// </summary>
    /// <exception cref="GitRemoteException">The remote could not be read (<see cref="GitAuthenticationException"/>: credentials refused).</exception>
    public void Fetch() => Exclusive(() =>
    {
        if (!BareRepository.Exists(Path))
        {
            CloneInto(Path);
        }

        WithHandle(repository => repository.Fetch(_settings.RepositoryUrl, GitRefs.FetchRefspecs, _settings.Credentials));
    });

    /// <summary>
    /// Builds merge(<paramref name="baseSha"/>, <paramref name="headSha"/>) as a merge commit with
    /// parents [base, head] and <paramref name="message"/>, committed by the configured identity now,
    /// and points <c>refs/merge-requests/&lt;iid&gt;/merge</c> at it. On a conflict the reference is
    /// removed and the conflicting paths are returned. Nothing is cached: the result depends only on
    /// the two commits given, so a rebuilt train never reuses a merge of a dropped car.
    /// </summary>
    public MergeOutcome BuildMergeRef(long iid, string baseSha, string headSha, string message) =>
        BuildMergeRef(iid, new CarRecipe(baseSha, baseSha, headSha, Rebase: false, MergeCommit: true, message));

    /// <summary>
    /// Builds a car commit for one of GitLab's merge methods (<see cref="CarRecipe"/>) and points
    /// <c>refs/merge-requests/&lt;iid&gt;/merge</c> at it, as <see cref="BuildMergeRef(long, string, string, string)"/> does.
    /// </summary>
    public MergeOutcome BuildMergeRef(long iid, CarRecipe recipe)
    {
        var outcome = WithHandle(repository => repository.BuildCar(recipe, _settings.Committer, _time.GetUtcNow()));
        var reference = PublishedBranches.MergeRef(iid);
        Exclusive(() => WithHandle(repository =>
        {
            if (outcome is MergeOutcome.Merged merged)
            {
                repository.SetReference(reference, merged.CommitSha);
            }
            else
            {
                repository.DeleteReference(reference);
            }
        }));
        return outcome;
    }

    /// <summary>
    /// Publishes <c>refs/merge-requests/&lt;iid&gt;/merge</c> as <paramref name="branch"/> on the remote
    /// (a car branch or a merged-results branch), replacing whatever the branch held.
    /// </summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or refused the credentials.</exception>
    public PushResult PublishBranch(long iid, string branch)
    {
        var destination = GitRefs.Branch(branch);
        var source = PublishedBranches.MergeRef(iid);
        return Exclusive(() => WithHandle(repository =>
        {
            if (repository.ResolveReference(source) is null)
            {
                throw new InvalidOperationException($"{source} does not exist: build it before publishing it as {branch}.");
            }

            return repository.Push(_settings.RepositoryUrl, [$"+{source}:{destination}"], _settings.Credentials);
        }));
    }

    /// <summary>Deletes <paramref name="branches"/> (car or merged-results branches) from the remote; missing branches are fine.</summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or refused the credentials.</exception>
    public PushResult DeleteBranches(IReadOnlyList<string> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var refspecs = branches.Select(branch => ":" + GitRefs.Branch(branch)).ToList();
        return refspecs.Count == 0
            ? new PushResult([])
            : Exclusive(() => WithHandle(repository => repository.Push(_settings.RepositoryUrl, refspecs, _settings.Credentials)));
    }

    /// <summary>
    /// Fast-forwards <paramref name="targetBranch"/> on the remote to <paramref name="commitSha"/> with a
    /// non-forced push: a compare-and-swap that the remote refuses when the target moved so that the
    /// commit is no longer a fast-forward of it. There is no way to force it: the refspec this method
    /// sends never starts with <c>+</c>.
    /// </summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or refused the credentials.</exception>
    public TargetUpdate FastForwardTarget(string targetBranch, string commitSha)
    {
        var destination = GitRefs.Branch(targetBranch);
        ArgumentException.ThrowIfNullOrEmpty(commitSha);

        // Stage the commit under a private name: SetReference resolves it to a commit of ours first,
        // so nothing else (a revision, a leading '+') can reach the refspec. libgit2 1.5 could push
        // only references; 1.8 would take the bare id, but the check is worth keeping (ADR 6).
        var staging = "refs/mergetrain/fast-forward/" + targetBranch;
        var refspec = $"{staging}:{destination}";
        return Exclusive(() => WithHandle(repository =>
        {
            repository.SetReference(staging, commitSha);
            try
            {
                var result = repository.Push(_settings.RepositoryUrl, [refspec], _settings.Credentials);
                if (!result.Succeeded)
                {
                    return new TargetUpdate(TargetUpdateStatus.RejectedNotFastForward, string.Join("; ", result.Rejected.Select(r => r.Reason)));
                }

                repository.SetReference(destination, commitSha);
                return new TargetUpdate(TargetUpdateStatus.Updated);
            }
            finally
            {
                repository.DeleteReference(staging);
            }
        }));
    }

    /// <summary>
    /// Replaces the MR's source branch with the commits a car rewrote (rebased or squashed), so that
    /// GitLab, which sees an MR merged when the target contains its head, sees it merged once the
    /// target holds the car. Only while the branch still holds <paramref name="expectedSha"/> (the head
    /// the car was built from): a push by the author meanwhile wins, and its head is returned instead.
    /// The remote is read just before the forced push, so a push in between those two is lost; GitLab's
    /// own rebase has the same window.
    /// </summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or refused the credentials.</exception>
    public SourcePublication PublishRewrittenSource(string branch, string expectedSha, string rewrittenSha)
    {
        var destination = GitRefs.Branch(branch);
        var staging = "refs/mergetrain/source/" + branch;
        return Exclusive(() => WithHandle(repository =>
        {
            var current = repository.RemoteReference(_settings.RepositoryUrl, destination, _settings.Credentials);
            if (current == rewrittenSha)
            {
                return new SourcePublication(true, current);
            }

            if (current != expectedSha)
            {
                return new SourcePublication(false, current);
            }

            repository.SetReference(staging, rewrittenSha);
            try
            {
                var result = repository.Push(_settings.RepositoryUrl, [$"+{staging}:{destination}"], _settings.Credentials);
                return result.Succeeded
                    ? new SourcePublication(true, rewrittenSha)
                    : throw new GitRemoteException($"The remote refused to update {branch}: {string.Join("; ", result.Rejected.Select(r => r.Reason))}");
            }
            finally
            {
                repository.DeleteReference(staging);
            }
        }));
    }

    /// <summary>The commit <paramref name="branch"/> points at in the local mirror, or null.</summary>
    public string? ResolveBranch(string branch) => WithHandle(repository => repository.ResolveReference(GitRefs.Branch(branch)));

    /// <summary>Whether the local mirror has commit <paramref name="sha"/> (a full hex id).</summary>
    public bool HasCommit(string sha) => WithHandle(repository => repository.HasCommit(sha));

    /// <summary>The commit a reference (e.g. <see cref="GitRefs.MergeRequestHead(long)"/>) points at in the local mirror, or null.</summary>
    public string? ResolveReference(string reference) => WithHandle(repository => repository.ResolveReference(reference));

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        while (_handles.TryTake(out var handle))
        {
            handle.Dispose();
        }
    }

    private void CloneInto(string path)
    {
        // Clone beside the final place and move it there, so that a crash mid-clone leaves no
        // half repository for the next start to trust.
        var parent = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(parent);
        var staging = System.IO.Path.Combine(parent, $".clone-{System.IO.Path.GetFileName(path)}-{Guid.NewGuid():N}");
        try
        {
            BareRepository.Clone(_settings.RepositoryUrl, staging, _settings.Credentials).Dispose();
            Directory.Move(staging, path);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private T WithHandle<T>(Func<BareRepository, T> action)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_handles.TryTake(out var handle))
        {
            handle = BareRepository.OpenOrInit(Path);
        }

        try
        {
            return action(handle);
        }
        finally
        {
            _handles.Add(handle);
        }
    }

    private void WithHandle(Action<BareRepository> action) => WithHandle<object?>(repository =>
    {
        action(repository);
        return null;
    });

    private T Exclusive<T>(Func<T> action)
    {
        _gate.Wait();
        try
        {
            using var crossProcess = LockAcrossProcesses();
            return action();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for the repository's lock file. On Linux .NET takes <c>flock</c> for
    /// <see cref="FileShare.None"/>, so another process (or another handle) holding it makes the open fail.
    /// </summary>
    private FileStream LockAcrossProcesses()
    {
        var lockFile = Path.TrimEnd('/') + ".lock";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockFile)!);
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Held by another instance: its git operations take milliseconds to seconds.
                Thread.Sleep(10);
            }
        }
    }

    private void Exclusive(Action action) => Exclusive<object?>(() =>
    {
        action();
        return null;
    });
}
