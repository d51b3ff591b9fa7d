namespace MergeTrain.Git.Tests;

/// <summary>
/// A bare repository with <c>main</c> at a root commit, served over one transport: a file path,
/// a real <c>git daemon</c>, or smart HTTP with a token.
/// </summary>
internal sealed class ServedRemote : IDisposable
{
    private readonly GitDaemon? _daemon;

    private ServedRemote(string path, string url, string root, GitDaemon? daemon, SmartHttpGitServer? http)
    {
        Path = path;
        Url = url;
        Root = root;
        _daemon = daemon;
        Http = http;
    }

    /// <summary>The repository's folder, for setting it up behind the transport's back.</summary>
    public string Path { get; }

    /// <summary>The URL clients use.</summary>
    public string Url { get; }

    /// <summary>The root commit <c>main</c> starts at.</summary>
    public string Root { get; }

    /// <summary>The HTTP server, for the "http" transport.</summary>
    public SmartHttpGitServer? Http { get; }

    public static ServedRemote Start(TempDirectory temp, string transport, Dictionary<string, string?> rootFiles, string? token = null)
    {
        var served = Directory.CreateDirectory(temp.Combine("served")).FullName;
        var path = System.IO.Path.Combine(served, "project.git");
        GitCli.Run(served, "init", "--bare", "--initial-branch=main", "project.git");
        var root = CommitWriter.Commit(path, null, rootFiles);
        GitCli.Run(path, "update-ref", "refs/heads/main", root);
        return transport switch
        {
            "path" => new ServedRemote(path, path, root, null, null),
            "git-daemon" => Daemon(path, root, GitDaemon.Start(served)),
            "http" => OverHttp(path, root, new SmartHttpGitServer(served, token ?? throw new ArgumentNullException(nameof(token)))),
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "path, git-daemon or http"),
        };
    }

    /// <summary>Points <paramref name="reference"/> of the served repository at <paramref name="sha"/>.</summary>
    public void SetReference(string reference, string sha) => GitCli.Run(Path, "update-ref", reference, sha);

    public void Dispose()
    {
        Http?.Dispose();
        _daemon?.Dispose();
    }

    private static ServedRemote Daemon(string path, string root, GitDaemon daemon) => new(path, daemon.UrlFor("project.git"), root, daemon, null);

    private static ServedRemote OverHttp(string path, string root, SmartHttpGitServer http) => new(path, http.UrlFor("project.git"), root, null, http);
}
