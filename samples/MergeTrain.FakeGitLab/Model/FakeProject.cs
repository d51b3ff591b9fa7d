namespace MergeTrain.FakeGitLab;

/// <summary>
/// A project: numeric id, path with namespace and the bare repository that backs it
/// (<c>RepositoryUrl</c>, a path on disk: fetch from and push to it directly).
/// </summary>
public sealed record FakeProject(long Id, string Path, string RepositoryUrl, string DefaultBranch, string WebUrl)
{
    /// <summary>GitLab's <c>merge_method</c>: <c>merge</c>, <c>rebase_merge</c> (semi-linear history) or <c>ff</c>.</summary>
    public string MergeMethod { get; init; } = "merge";

    /// <summary>GitLab's <c>squash_option</c>: <c>never</c>, <c>default_off</c>, <c>default_on</c> or <c>always</c>.</summary>
    public string SquashOption { get; init; } = "default_off";

    /// <summary>Whether an MR that asks for <paramref name="squash"/> is squashed when merged, as GitLab decides it (<c>squash_on_merge</c>).</summary>
    public bool SquashesOnMerge(bool squash) => SquashOption switch
    {
        "always" => true,
        "never" => false,
        _ => squash,
    };

    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    public string Namespace => Path.Contains('/', StringComparison.Ordinal) ? Path[..Path.LastIndexOf('/')] : Path;
}
