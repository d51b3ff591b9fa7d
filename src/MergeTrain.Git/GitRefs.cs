namespace MergeTrain.Git;

/// <summary>The names of the references and branches the service reads and writes (SPEC section 5).</summary>
public static class GitRefs
{
    /// <summary>Default prefix of car branches.</summary>
    public const string DefaultCarBranchPrefix = "merge-train/";

    /// <summary>What the service fetches: every branch and every merge request head.</summary>
    public static readonly IReadOnlyList<string> FetchRefspecs =
    [
        "+refs/heads/*:refs/heads/*",
        "+refs/merge-requests/*/head:refs/merge-requests/*/head",
    ];

    /// <summary><c>refs/heads/&lt;branch&gt;</c>.</summary>
    public static string Branch(string branch) => "refs/heads/" + EnsureValidBranch(branch);

    /// <summary><c>refs/merge-requests/&lt;iid&gt;/head</c>: the MR's source head as GitLab publishes it.</summary>
    public static string MergeRequestHead(long iid) => $"refs/merge-requests/{iid}/head";

    /// <summary><c>refs/merge-requests/&lt;iid&gt;/merge</c>: the car commit or merged-results commit of the MR.</summary>
    public static string MergeRequestMerge(long iid) => $"refs/merge-requests/{iid}/merge";

    /// <summary>The branch that publishes a car for CI: <c>&lt;prefix&gt;&lt;target&gt;/&lt;iid&gt;</c>.</summary>
    public static string CarBranch(string prefix, string targetBranch, long iid) => EnsureValidBranch($"{prefix}{targetBranch}/{iid}");

    /// <summary>The branch that publishes a merged-results commit for CI: <c>merged-results/&lt;iid&gt;</c>.</summary>
    public static string MergedResultsBranch(long iid) => $"merged-results/{iid}";

    /// <summary>
    /// Returns <paramref name="branch"/> when it is a valid branch name (git check-ref-format rules),
    /// so that no name can smuggle a refspec (<c>+</c>, <c>:</c>) into a push.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid branch name.</exception>
    public static string EnsureValidBranch(string branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        var valid = branch.Length > 0
            && branch[0] is not ('+' or '-' or '/')
            && !branch.EndsWith('/') && !branch.EndsWith('.') && !branch.EndsWith(".lock", StringComparison.Ordinal)
            && !branch.Contains("..", StringComparison.Ordinal) && !branch.Contains("//", StringComparison.Ordinal)
            && !branch.Contains("@{", StringComparison.Ordinal) && branch != "@"
            && !branch.Contains("/.", StringComparison.Ordinal) && branch[0] != '.'
            && branch.All(c => c > ' ' && c != 127 && c is not (':' or '~' or '^' or '?' or '*' or '[' or '\\'));
        return valid ? branch : throw new ArgumentException($"'{branch}' is not a valid branch name.", nameof(branch));
    }
}
