using LibGit2Sharp;

namespace MergeTrain.Git;

/// <summary>
/// A project's bare repository on disk: the one place MergeTrain calls LibGit2Sharp. Every call
/// made here is exercised against real repositories by the tests (ADR 0003, ADR 0006).
/// </summary>
/// <remarks>
/// Not thread-safe, like the LibGit2Sharp <see cref="Repository"/> it wraps: use one instance per
/// thread (several instances on one directory may merge at once; <see cref="ProjectRepository"/>
/// serialises what writes shared files: fetch, push, configuration and references).
/// </remarks>
public sealed partial class BareRepository : IDisposable
{
    // LibGit2Sharp resolves an anonymous URL by first looking it up as a remote name, which
    // libgit2 answers with "invalid spec" for paths and URLs (1.5 did, 1.8 still does); so we
    // talk to remotes only through one named remote whose URL follows the configuration.
    private const string RemoteName = "mergetrain";
    private readonly Repository _repository;
    private NativeRepository? _native;

    // Fails at first use with a message saying where the bundled libgit2 should be, rather than
    // with a TypeInitializationException from deep inside LibGit2Sharp.
    static BareRepository() => BundledLibGit2.EnsureLoaded();

    private BareRepository(Repository repository) => _repository = repository;

    /// <summary>The repository's directory.</summary>
    public string Path => _repository.Info.Path;

    /// <summary>Opens the bare repository at <paramref name="path"/>, creating it if it does not exist.</summary>
    public static BareRepository OpenOrInit(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Repository.IsValid(path))
        {
            Directory.CreateDirectory(path);
            Repository.Init(path, isBare: true);
        }

        return new BareRepository(new Repository(path));
    }

    /// <summary>True when <paramref name="path"/> holds a git repository.</summary>
    public static bool Exists(string path) => Repository.IsValid(path);

    /// <summary>Clones <paramref name="url"/> as a new bare repository at <paramref name="path"/>.</summary>
    public static BareRepository Clone(string url, string path, GitCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new CloneOptions { IsBare = true, Checkout = false };
        options.FetchOptions.CredentialsProvider = CredentialsProvider(credentials);
        string clonedPath;
        try
        {
            clonedPath = Repository.Clone(url, path, options);
        }
        catch (LibGit2SharpException error)
        {
            throw GitRemoteException.From(error, "clone", url);
        }

        return new BareRepository(new Repository(clonedPath));
    }

    /// <summary>Fetches <paramref name="refspecs"/> from <paramref name="url"/> (through one named remote, see above).</summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or read; <see cref="GitAuthenticationException"/> when it refused the credentials.</exception>
    public void Fetch(string url, IReadOnlyList<string> refspecs, GitCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(refspecs);
        var options = new FetchOptions
        {
            CredentialsProvider = CredentialsProvider(credentials),
            Prune = false,
            TagFetchMode = TagFetchMode.None,
        };
        EnsureRemote(url);
        try
        {
            Commands.Fetch(_repository, RemoteName, refspecs, options, logMessage: null);
        }
        catch (LibGit2SharpException error)
        {
            throw GitRemoteException.From(error, "fetch from", url);
        }
    }

    /// <summary>The commit <paramref name="reference"/> (e.g. <c>refs/heads/feature</c>) points at on the remote, or null when it has no such reference.</summary>
    /// <exception cref="GitRemoteException">The remote could not be reached or read.</exception>
    public string? RemoteReference(string url, string reference, GitCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        try
        {
            var remote = EnsureRemote(url);
            var advertised = CredentialsProvider(credentials) is { } provider ? _repository.Network.ListReferences(remote, provider) : _repository.Network.ListReferences(remote);
            return advertised
                .FirstOrDefault(advertised => advertised.CanonicalName == reference)?.ResolveToDirectReference()?.TargetIdentifier;
        }
        catch (LibGit2SharpException error)
        {
            throw GitRemoteException.From(error, "list the references of", url);
        }
    }

    /// <summary>
    /// Pushes <paramref name="refspecs"/> to <paramref name="url"/>. A refspec without a leading
    /// <c>+</c> is a compare-and-swap: the remote updates it only as a fast-forward of the value
    /// it advertised. Transport and authentication errors throw <see cref="GitRemoteException"/>
    /// (<see cref="GitAuthenticationException"/> for refused credentials).
    /// </summary>
    public PushResult Push(string url, IReadOnlyList<string> refspecs, GitCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(refspecs);
        var rejected = new List<RejectedReference>();
        var options = new PushOptions
        {
            CredentialsProvider = CredentialsProvider(credentials),
            OnPushStatusError = error => rejected.Add(new RejectedReference(error.Reference, error.Message)),
        };

        try
        {
            _repository.Network.Push(EnsureRemote(url), refspecs, options);
        }
        catch (NonFastForwardException error)
        {
            // libgit2 checks fast-forwardness against the remote's advertised heads before it sends
            // anything, and then the whole push is refused: every non-forced destination is rejected.
            return new PushResult(refspecs
                .Where(spec => !spec.StartsWith('+'))
                .Select(spec => new RejectedReference(spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..], error.Message))
                .ToList());
        }
        catch (LibGit2SharpException error)
        {
            throw GitRemoteException.From(error, "push to", url);
        }

        return new PushResult(rejected);
    }

    /// <summary>
    /// Merges <paramref name="theirsSha"/> into <paramref name="oursSha"/> exactly as
    /// <c>git merge-tree --write-tree</c> does and, when clean, writes a merge commit with parents
    /// [ours, theirs], <paramref name="message"/> verbatim, and <paramref name="identity"/> as author
    /// and committer at <paramref name="when"/>. No working tree, index or reference is touched.
    /// </summary>
    /// <remarks>
    /// The tree comes from the in-process fast path when it can prove git's result (see
    /// BareRepository.TreeMerge.cs) and otherwise from git itself; the outcome says which.
    /// </remarks>
    public MergeOutcome Merge(string oursSha, string theirsSha, string message, GitIdentity identity, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(identity);
        var ours = LookupCommit(oursSha);
        var theirs = LookupCommit(theirsSha);

        var (treeSha, route, conflicts, exit) = MergeTrees(ours, theirs);
        if (conflicts is not null)
        {
            return new MergeOutcome.Conflicted(conflicts) { FastPathExit = exit };
        }

        var commitSha = WriteMergeCommit(treeSha, ours, theirs, message, identity, when);
        return new MergeOutcome.Merged(commitSha, treeSha, route) { FastPathExit = exit };
    }

    // Written as a raw object (WriteCommit): LibGit2Sharp's CreateCommit looks the tree and parents
    // up again and was the largest cost of a tree-level merge.
    private string WriteMergeCommit(string treeSha, Commit ours, Commit theirs, string message, GitIdentity identity, DateTimeOffset when) =>
        WriteCommit(treeSha, [ours.Sha, theirs.Sha], (identity.Name, identity.Email, when), identity, when, message);

    // What libgit2's git_signature_new keeps as given: no angle brackets or line breaks, and none
    // of the characters it trims at either end.
    private static bool IsPlainSignaturePart(string part) =>
        part.Length > 0 && !IsCrud(part[0]) && !IsCrud(part[^1]) && part.IndexOfAny(['<', '>', '\n', '\0']) < 0;

    private static bool IsCrud(char c) => c <= ' ' || c is '.' or ',' or ':' or ';' or '<' or '>' or '"' or '\\' or '\'';

    /// <summary>Whether <paramref name="sha"/>, a full hex commit id (never a revision expression), names a commit here.</summary>
    public bool HasCommit(string sha) =>
        sha is { Length: 40 or 64 } && sha.All(char.IsAsciiHexDigit) && _repository.Lookup<Commit>(new ObjectId(sha)) is not null;

    /// <summary>Points <paramref name="name"/> at <paramref name="sha"/>, creating or moving it.</summary>
    public void SetReference(string name, string sha)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _repository.Refs.Add(name, LookupCommit(sha).Id, allowOverwrite: true);
    }

    /// <summary>The commit <paramref name="name"/> points at, or null when there is no such reference.</summary>
    public string? ResolveReference(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _repository.Refs[name]?.ResolveToDirectReference()?.TargetIdentifier;
    }

    /// <summary>Deletes <paramref name="name"/>; deleting a reference that does not exist is not an error.</summary>
    public void DeleteReference(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_repository.Refs[name] is not null)
        {
            _repository.Refs.Remove(name);
        }
    }

    /// <summary>The names of the references under <paramref name="prefix"/> (e.g. <c>refs/heads/</c>).</summary>
    public IReadOnlyList<string> ListReferences(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return _repository.Refs.FromGlob(prefix + "*").Select(r => r.CanonicalName).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The parents of commit <paramref name="sha"/>, in order.</summary>
    public IReadOnlyList<string> ParentsOf(string sha) => LookupCommit(sha).Parents.Select(p => p.Sha).ToList();

    /// <summary>The tree of commit <paramref name="sha"/>.</summary>
    public string TreeOf(string sha) => LookupCommit(sha).Tree.Sha;

    /// <summary>The full message of commit <paramref name="sha"/>.</summary>
    public string MessageOf(string sha) => LookupCommit(sha).Message;

    /// <inheritdoc/>
    public void Dispose()
    {
        _native?.Dispose();
        _scratch?.Dispose();
        _repository.Dispose();
    }

    private Remote EnsureRemote(string url)
    {
        var remote = _repository.Network.Remotes[RemoteName];
        if (remote is null)
        {
            // No fetch refspec of its own: every fetch names the refspecs it wants.
            return _repository.Network.Remotes.Add(RemoteName, url, "+refs/heads/*:refs/heads/*");
        }

        if (remote.Url != url)
        {
            _repository.Network.Remotes.Update(RemoteName, r => r.Url = url);
            remote = _repository.Network.Remotes[RemoteName];
        }

        return remote;
    }

    private Commit LookupCommit(string sha)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha);
        return _repository.Lookup<Commit>(sha)
            ?? throw new InvalidOperationException($"Commit {sha} is not in the repository at {Path}.");
    }

    private static LibGit2Sharp.Handlers.CredentialsHandler? CredentialsProvider(GitCredentials? credentials) =>
        credentials is null
            ? null
            : (_, _, _) => new UsernamePasswordCredentials { Username = credentials.Username, Password = credentials.Password };
}
