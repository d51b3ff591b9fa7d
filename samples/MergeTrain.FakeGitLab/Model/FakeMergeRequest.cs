namespace MergeTrain.FakeGitLab;

/// <summary>A snapshot of one merge request.</summary>
public sealed record FakeMergeRequest
{
    public required long Id { get; init; }

    public required long Iid { get; init; }

    public required long ProjectId { get; init; }

    public required string Title { get; init; }

    public string Description { get; init; } = "";

    /// <summary><c>opened</c>, <c>closed</c> or <c>merged</c>.</summary>
    public string State { get; init; } = MergeRequestStates.Opened;

    public bool Draft { get; init; }

    /// <summary>The MR's own "squash commits when merged" (GitLab's <c>squash</c>); the project's <c>squash_option</c> decides in the end.</summary>
    public bool Squash { get; init; }

    public required string SourceBranch { get; init; }

    public required string TargetBranch { get; init; }

    /// <summary>The head commit of the source branch.</summary>
    public required string Sha { get; init; }

    /// <summary>The target head the source branch was cut from (diff_refs.base_sha).</summary>
    public required string BaseSha { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public string? MergeCommitSha { get; init; }

    public required FakeUser Author { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? MergedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public required string WebUrl { get; init; }

    /// <summary>Who approved it (the approvals API); GitLab resets approvals on no push here.</summary>
    public IReadOnlyList<FakeUser> ApprovedBy { get; init; } = [];
}

/// <summary>The values of a merge request's <c>state</c>.</summary>
public static class MergeRequestStates
{
    public const string Opened = "opened";
    public const string Closed = "closed";
    public const string Merged = "merged";
}
