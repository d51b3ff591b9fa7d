namespace MergeTrain.Git;

/// <summary>The result of publishing a car's rewritten commits on the MR's source branch.</summary>
/// <param name="Published">Whether the branch now holds the rewritten head.</param>
/// <param name="CurrentSha">What the branch holds now (null: it was deleted).</param>
public sealed record SourcePublication(bool Published, string? CurrentSha);
