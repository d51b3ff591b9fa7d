namespace MergeTrain.Postgres.Api;

/// <summary>A car with what the API shows of its merge request and the user who added it.</summary>
public sealed record CarView
{
    /// <summary>The car's id.</summary>
    public long Id { get; init; }

    /// <summary>The project.</summary>
    public long ProjectId { get; init; }

    /// <summary>The target branch.</summary>
    public required string TargetBranch { get; init; }

    /// <summary>The MR.</summary>
    public int Iid { get; init; }

    /// <summary>The engine's car, as JSON.</summary>
    public required string Car { get; init; }

    /// <summary>The car's status (GitLab's name).</summary>
    public required string Status { get; init; }

    /// <summary>1-based position while active.</summary>
    public int? Position { get; init; }

    /// <summary>When it was added.</summary>
    public DateTimeOffset AddedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it merged or was dropped.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>GitLab's global MR id, when seen.</summary>
    public long? MergeRequestId { get; init; }

    /// <summary>The MR description, when seen.</summary>
    public string? Description { get; init; }

    /// <summary>The MR state, when seen.</summary>
    public string? MergeRequestState { get; init; }

    /// <summary>The MR page, when seen.</summary>
    public string? WebUrl { get; init; }

    /// <summary>When the MR was created, when seen.</summary>
    public DateTimeOffset? MergeRequestCreatedAt { get; init; }

    /// <summary>When the MR was last updated, when seen.</summary>
    public DateTimeOffset? MergeRequestUpdatedAt { get; init; }

    /// <summary>The adding user's GitLab id, when seen.</summary>
    public long? UserId { get; init; }

    /// <summary>The adding user's name, when seen.</summary>
    public string? UserName { get; init; }

    /// <summary>The adding user's state, when seen.</summary>
    public string? UserState { get; init; }

    /// <summary>The adding user's avatar, when seen.</summary>
    public string? UserAvatarUrl { get; init; }

    /// <summary>The adding user's page, when seen.</summary>
    public string? UserWebUrl { get; init; }
}

/// <summary>What GitLab told us about a merge request.</summary>
public sealed record MergeRequestRecord(long ProjectId, int Iid, long Id, string Title, string? Description, string State, string? WebUrl, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);

/// <summary>What GitLab told us about a user.</summary>
public sealed record GitLabUserRecord(string Username, long Id, string Name, string? State, string? AvatarUrl, string? WebUrl);
