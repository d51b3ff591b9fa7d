namespace MergeTrain.FakeGitLab;

/// <summary>
/// A resolvable thread on a merge request: its first note (a <see cref="FakeNote"/>, which the
/// notes API lists too) and whether it is resolved.
/// </summary>
public sealed record FakeDiscussion(string Id, long ProjectId, long MergeRequestIid, FakeNote FirstNote)
{
    public bool Resolved { get; init; }

    public FakeUser? ResolvedBy { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }
}
