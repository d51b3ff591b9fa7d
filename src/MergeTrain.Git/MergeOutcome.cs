namespace MergeTrain.Git;

/// <summary>What merging two commits produced: a merge commit, or the paths that conflict.</summary>
public abstract record MergeOutcome
{
    private MergeOutcome()
    {
    }

    /// <summary>Why the tree was not computed in process (<see cref="FastPathExit.None"/> when it was).</summary>
    public FastPathExit FastPathExit { get; init; }

    /// <summary>The merge was clean and <paramref name="CommitSha"/> was written; <paramref name="Route"/> says how its tree was computed.</summary>
    public sealed record Merged(string CommitSha, string TreeSha, MergeRoute Route = MergeRoute.TreeFastPath) : MergeOutcome
    {
        /// <summary>
        /// The merge request's commits as the car rewrote them (rebased or squashed), whose head the
        /// target will contain instead of the MR's own; null when the car holds the MR head itself.
        /// </summary>
        public string? RewrittenHeadSha { get; init; }
    }

    /// <summary>The merge conflicts in <paramref name="Paths"/> (sorted, each once); no commit was written.</summary>
    public sealed record Conflicted(IReadOnlyList<string> Paths) : MergeOutcome;
}

/// <summary>How a merge's tree was computed.</summary>
public enum MergeRoute
{
    /// <summary>In process, by walking the three trees and keeping every subtree that only one side changed.</summary>
    TreeFastPath,

    /// <summary>The fast path, with the files changed on both sides merged by <c>git merge-tree</c> on a tree of just those files.</summary>
    TreeFastPathWithFileMerges,

    /// <summary>By <c>git merge-tree --write-tree</c> on the two commits, because the fast path could not prove its result.</summary>
    GitMergeTree,
}
