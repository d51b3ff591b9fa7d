namespace MergeTrain.Git;

/// <summary>Where a project's bare repository lives and which remote it mirrors.</summary>
/// <param name="DataDirectory">The service's data directory; the repository is <c>repositories/&lt;projectId&gt;.git</c> under it.</param>
/// <param name="ProjectId">The GitLab project id.</param>
/// <param name="RepositoryUrl">A file path, <c>git://</c>, or <c>http(s)://</c> URL of the project's repository.</param>
public sealed record ProjectRepositorySettings(string DataDirectory, long ProjectId, string RepositoryUrl)
{
    /// <summary>The GitLab token sent as the password of user <c>oauth2</c> to http(s) remotes.</summary>
    public string? Token { get; init; }

    /// <summary>Author and committer of the merge commits the service writes.</summary>
    public GitIdentity Committer { get; init; } = GitIdentity.Default;

    /// <summary>The bare repository's directory.</summary>
    public string RepositoryPath => Path.Combine(DataDirectory, "repositories", $"{ProjectId}.git");

    /// <summary>The credentials for <see cref="RepositoryUrl"/>, or null when none are needed.</summary>
    public GitCredentials? Credentials =>
        string.IsNullOrEmpty(Token) || !RepositoryUrl.StartsWith("http", StringComparison.OrdinalIgnoreCase)
            ? null
            : new GitCredentials("oauth2", Token);

    /// <summary>Keeps the token out of logs.</summary>
    public override string ToString() =>
        $"ProjectRepositorySettings {{ ProjectId = {ProjectId}, RepositoryUrl = {GitRemoteException.RedactUrl(RepositoryUrl)}, RepositoryPath = {RepositoryPath} }}";
}
