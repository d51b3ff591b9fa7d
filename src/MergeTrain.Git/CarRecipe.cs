namespace MergeTrain.Git;

/// <summary>
/// How to build a car commit for one of GitLab's merge methods, in git's terms: the MR's commits are
/// optionally squashed into one, optionally rebased onto the base, and optionally merged into it with a
/// merge commit. GitLab's merge commit method is (no rebase, merge commit), semi-linear history is
/// (rebase, merge commit), fast-forward is (rebase, no merge commit).
/// </summary>
/// <param name="BaseSha">The commit the car goes onto: the car ahead's commit, or the target head.</param>
/// <param name="UpstreamSha">The target head: the MR's own commits are those its head has and this has not.</param>
/// <param name="HeadSha">The MR head.</param>
/// <param name="Rebase">Whether the MR's commits are replayed onto the base.</param>
/// <param name="MergeCommit">Whether a merge commit [base, head] is written (else the car commit is the rebased head).</param>
/// <param name="MergeMessage">The merge commit's message.</param>
/// <param name="SquashMessage">When set, the MR's commits are squashed into one commit with this message first.</param>
public sealed record CarRecipe(string BaseSha, string UpstreamSha, string HeadSha, bool Rebase, bool MergeCommit, string MergeMessage, string? SquashMessage = null);
