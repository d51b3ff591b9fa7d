namespace MergeTrain.GitLab.Webhooks;

/// <summary>The <c>X-Gitlab-Event</c> header values GitLab sends.</summary>
public static class GitLabEventNames
{
    /// <summary>Merge request opened, updated, labelled, approved, closed, merged...</summary>
    public const string MergeRequest = "Merge Request Hook";

    /// <summary>A comment (on a merge request, issue, commit or snippet).</summary>
    public const string Note = "Note Hook";

    /// <summary>An internal comment; GitLab sends it under its own name.</summary>
    public const string ConfidentialNote = "Confidential Note Hook";

    /// <summary>A pipeline changed status.</summary>
    public const string Pipeline = "Pipeline Hook";

    /// <summary>Commits pushed to a branch (or a branch created or deleted).</summary>
    public const string Push = "Push Hook";

    /// <summary>
    /// Event kinds GitLab documents that MergeTrain does not use. A project hook with extra triggers
    /// ticked sends them; they are answered as ignored rather than 400, because GitLab disables a
    /// webhook that keeps failing.
    /// </summary>
    public static readonly IReadOnlySet<string> Unused = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Tag Push Hook", "Issue Hook", "Confidential Issue Hook", "Job Hook", "Wiki Page Hook",
        "Deployment Hook", "Feature Flag Hook", "Release Hook", "Milestone Hook", "Emoji Hook",
        "Member Hook", "Subgroup Hook", "Project Hook", "Resource Access Token Hook",
        "Vulnerability Hook", "System Hook",
    };
}
