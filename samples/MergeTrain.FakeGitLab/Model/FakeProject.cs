namespace MergeTrain.FakeGitLab;

/// <summary>
/// A project: numeric id, path with namespace and the bare repository that backs it
/// (<c>RepositoryUrl</c>, a path on disk: fetch from and push to it directly).
/// </summary>
public sealed record FakeProject(long Id, string Path, string RepositoryUrl, string DefaultBranch, string WebUrl)
{
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    public string Namespace => Path.Contains('/', StringComparison.Ordinal) ? Path[..Path.LastIndexOf('/')] : Path;
}
