namespace MergeTrain.Git;

/// <summary>What rebasing a merge request's commits produced: the new head, or the paths that conflict.</summary>
public abstract record RewriteOutcome
{
    private RewriteOutcome()
    {
    }

    /// <summary>
    /// The commits were replayed; <paramref name="HeadSha"/> is the new head (the old one when nothing
    /// needed rewriting, the onto commit when every commit turned out empty), <paramref name="Replayed"/>
    /// how many commits were written.
    /// </summary>
    public sealed record Rewritten(string HeadSha, int Replayed) : RewriteOutcome;

    /// <summary>Replaying <paramref name="CommitSha"/> conflicts in <paramref name="Paths"/>; nothing usable was written.</summary>
    public sealed record Conflicted(IReadOnlyList<string> Paths, string CommitSha) : RewriteOutcome;
}
