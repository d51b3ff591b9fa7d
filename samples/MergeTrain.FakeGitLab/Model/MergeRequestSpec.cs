namespace MergeTrain.FakeGitLab;

/// <summary>What a user opens a merge request with.</summary>
public sealed record MergeRequestSpec(string SourceBranch, string Title)
{
    public string? TargetBranch { get; init; }

    /// <summary>File contents to commit on the source branch (null deletes the file).</summary>
    public IReadOnlyDictionary<string, string?> Files { get; init; } = new Dictionary<string, string?>();

    /// <summary>The commit the source branch is cut from; the target branch head when null.</summary>
    public string? BaseSha { get; init; }

    public string? CommitMessage { get; init; }

    public string Description { get; init; } = "";

    public IReadOnlyList<string> Labels { get; init; } = [];

    public bool Draft { get; init; }
}
