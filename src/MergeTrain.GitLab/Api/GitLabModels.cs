namespace MergeTrain.GitLab.Api;

/// <summary>The fields of GitLab's merge request object that MergeTrain reads.</summary>
public sealed record GitLabMergeRequest(
    long Id,
    int Iid,
    long ProjectId,
    string Title,
    string? Description,
    string State,
    bool Draft,
    string Sha,
    string SourceBranch,
    string TargetBranch,
    string WebUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Labels,
    GitLabUser? Author)
{
    /// <summary>GitLab's summary of its merge checks (<c>mergeable</c>, <c>not_approved</c>, ...); absent before GitLab 15.6.</summary>
    public string? DetailedMergeStatus { get; init; }

    /// <summary>Whether GitLab found conflicts between the source and target branches.</summary>
    public bool HasConflicts { get; init; }

    /// <summary>False when the project requires all threads resolved and some are not.</summary>
    public bool BlockingDiscussionsResolved { get; init; } = true;

    /// <summary>The project the source branch is in: another project's id for an MR from a fork.</summary>
    public long? SourceProjectId { get; init; }

    /// <summary>The MR's own "squash commits when merged"; the project's <c>squash_option</c> decides in the end.</summary>
    public bool Squash { get; init; }
}

/// <summary>The fields of GitLab's pipeline object that MergeTrain reads.</summary>
public sealed record GitLabPipeline(
    long Id,
    string Sha,
    string Ref,
    string Status,
    string? WebUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>The fields of GitLab's job object that MergeTrain reads.</summary>
public sealed record GitLabJob(long Id, string Name, string Status, string? Stage);

/// <summary>GitLab's user object, as embedded in merge requests and events.</summary>
/// <remarks>Only id, username and name are required when reading: the rest is display detail some embeddings leave out.</remarks>
/// <summary>A note on an MR, as the notes API lists it (the fields MergeTrain reads).</summary>
public sealed record GitLabNote(long Id, string Body);

/// <summary>A GitLab user as the API returns it.</summary>
public sealed record GitLabUser(long Id, string Username, string Name, string? State = null, string? AvatarUrl = null, string? WebUrl = null);

/// <summary>A commit status to set (<c>state</c>: pending, running, success, failed, canceled).</summary>
public sealed record GitLabCommitStatus(string State, string Name, string? TargetUrl, string? Description, string? Ref = null);

/// <summary>The fields of GitLab's project object that MergeTrain reads: how its merge requests are merged.</summary>
/// <param name="Id">The numeric project id.</param>
/// <param name="MergeMethod"><c>merge</c>, <c>rebase_merge</c> (semi-linear history) or <c>ff</c>.</param>
/// <param name="SquashOption"><c>never</c>, <c>default_off</c>, <c>default_on</c> or <c>always</c>.</param>
public sealed record GitLabProject(long Id, string? MergeMethod, string? SquashOption);
