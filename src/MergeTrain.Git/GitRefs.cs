using MergeTrain.Core.Trains;

namespace MergeTrain.Git;

/// <summary>
/// The references the git adapter reads and writes in the service's repository, and the check that a
/// branch name is safe to push. The names of the branches published for CI, and of the merge ref,
/// are the core's (<see cref="PublishedBranches"/>).
/// </summary>
public static class GitRefs
{
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
