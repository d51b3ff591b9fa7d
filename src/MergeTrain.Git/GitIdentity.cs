namespace MergeTrain.Git;

/// <summary>Name and e-mail written as author and committer of the commits MergeTrain creates.</summary>
public sealed record GitIdentity(string Name, string Email)
{
    /// <summary>The identity used when the configuration names none.</summary>
    public static GitIdentity Default { get; } = new("MergeTrain", "mergetrain@localhost");
}
