namespace MergeTrain.Core.Trains;

/// <summary>The merged result of an MR that is not on the train (SPEC section 4): merge(target head, MR head) and its pipeline.</summary>
public sealed record MergedResult
{
    /// <summary>The MR's project-scoped id.</summary>
    public required int Iid { get; init; }

    /// <summary>The MR title.</summary>
    public required string Title { get; init; }

    /// <summary>The MR source branch.</summary>
    public required string SourceBranch { get; init; }

    /// <summary>The MR head the merged result is built from.</summary>
    public required string HeadSha { get; init; }

    /// <summary>When the entry last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The train-unique number of the current build.</summary>
    public long Generation { get; init; }

    /// <summary>The target head the current build merges onto.</summary>
    public string? BaseSha { get; init; }

    /// <summary>The merged-results commit, once built.</summary>
    public string? CommitSha { get; init; }

    /// <summary>Whether the current build is still awaited.</summary>
    public bool Building { get; init; }

    /// <summary>Whether a pipeline should start once the current build is done (new MR head, not a mere target move).</summary>
    public bool PipelineWanted { get; init; }

    /// <summary>The generation a pipeline was requested for and whose id is not known yet.</summary>
    public long? PipelineRequestedGeneration { get; init; }

    /// <summary>The merged-results pipeline on the MR's current head.</summary>
    public PipelineSnapshot? Pipeline { get; init; }

    /// <summary>The conflicting paths when the MR does not merge cleanly onto the target head.</summary>
    public IReadOnlyList<string> ConflictPaths { get; init; } = [];

    /// <summary>Who asked for the MR to join the train once this merged result's pipeline passes (<c>auto_merge</c>); null when nobody did.</summary>
    public string? AutoMergeBy { get; init; }
}
