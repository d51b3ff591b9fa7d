namespace MergeTrain.GitLab.Webhooks;

/// <summary>A <c>Push Hook</c>: a branch moved, was created, or was deleted.</summary>
/// <param name="Project">The project.</param>
/// <param name="Actor">Who pushed (<c>user_username</c>).</param>
/// <param name="Ref">The full ref, for example <c>refs/heads/main</c>.</param>
/// <param name="Before">The old head; all zeros when the branch was created.</param>
/// <param name="After">The new head; all zeros when the branch was deleted.</param>
/// <param name="CheckoutSha">The commit at the new head, when sent (null after a deletion).</param>
/// <param name="TotalCommitsCount">How many commits the push brought, when sent.</param>
public sealed record PushHookEvent(
    WebhookProject Project,
    WebhookUser Actor,
    string Ref,
    string Before,
    string After,
    string? CheckoutSha,
    int? TotalCommitsCount) : GitLabWebhookEvent(GitLabEventNames.Push, Project.Id)
{
    private const string BranchPrefix = "refs/heads/";

    /// <summary>GitLab's object id for "no commit", in <c>before</c> of a creation and <c>after</c> of a deletion.</summary>
    public const string NoCommit = "0000000000000000000000000000000000000000";

    /// <summary>The branch name (<c>main</c> for <c>refs/heads/main</c>), or null if the ref is not a branch.</summary>
    public string? Branch => Ref.StartsWith(BranchPrefix, StringComparison.Ordinal) ? Ref[BranchPrefix.Length..] : null;

    /// <summary>Whether the push created the branch.</summary>
    public bool BranchCreated => Before == NoCommit;

    /// <summary>Whether the push deleted the branch.</summary>
    public bool BranchDeleted => After == NoCommit;
}
