namespace MergeTrain.Git;

/// <summary>What merging two commits produced: a merge commit, or the paths that conflict.</summary>
public abstract record MergeOutcome
{
    private MergeOutcome()
    {
    }

    /// <summary>The merge was clean and <paramref name="CommitSha"/> was written.</summary>
    public sealed record Merged(string CommitSha, string TreeSha) : MergeOutcome;

    /// <summary>The merge conflicts in <paramref name="Paths"/> (sorted, each once); nothing was written.</summary>
    public sealed record Conflicted(IReadOnlyList<string> Paths) : MergeOutcome;
}
