namespace MergeTrain.Git;

/// <summary>Username and password (for GitLab: any username and an access token) for HTTP remotes.</summary>
public sealed record GitCredentials(string Username, string Password)
{
    /// <summary>Keeps the token out of logs and exception messages.</summary>
    public override string ToString() => $"GitCredentials {{ Username = {Username}, Password = *** }}";
}
