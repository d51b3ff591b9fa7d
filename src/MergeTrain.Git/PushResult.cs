namespace MergeTrain.Git;

/// <summary>
/// The outcome of one push: transport and authentication failures throw; what comes back here is
/// the remote's verdict per reference, so a rejected compare-and-swap can be told apart.
/// </summary>
public sealed record PushResult(IReadOnlyList<RejectedReference> Rejected)
{
    /// <summary>True when the remote accepted every reference of the push.</summary>
    public bool Succeeded => Rejected.Count == 0;
}

/// <summary>A reference the remote refused to update, with the remote's reason.</summary>
public sealed record RejectedReference(string Reference, string Reason);
