namespace MergeTrain.Git;

/// <summary>The outcome of fast-forwarding a target branch (transport and authentication failures throw <see cref="GitRemoteException"/>).</summary>
/// <param name="Status">Whether the remote moved the branch.</param>
/// <param name="Reason">The remote's or libgit2's reason when rejected.</param>
public sealed record TargetUpdate(TargetUpdateStatus Status, string? Reason = null)
{
    /// <summary>True when the target branch now points at the commit.</summary>
    public bool Updated => Status == TargetUpdateStatus.Updated;
}

/// <summary>What became of a fast-forward of a target branch.</summary>
public enum TargetUpdateStatus
{
    /// <summary>The target branch was fast-forwarded to the commit.</summary>
    Updated,

    /// <summary>The remote refused: the target moved, so the commit is not a fast-forward of it (or a hook refused it). Nothing changed.</summary>
    RejectedNotFastForward,
}
