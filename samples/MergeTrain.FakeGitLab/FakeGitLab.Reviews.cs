using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// Merge checks: the project's settings, approvals and resolvable threads, as the approvals and
/// discussions APIs change them. Each action returns once the webhooks it caused were delivered.
/// </summary>
public sealed partial class FakeGitLab
{
    /// <summary>The project's merge check settings.</summary>
    public FakeMergeSettings GetMergeSettings(long projectId) => _store.MergeSettings(projectId);

    /// <summary>
    /// Sets how many approvals an MR of the project needs and whether all its threads must be
    /// resolved (what a maintainer sets under Settings, Merge requests).
    /// </summary>
    public void SetMergeSettings(long projectId, int approvalsRequired, bool onlyAllowMergeIfAllDiscussionsAreResolved) =>
        _store.SetMergeSettings(projectId, _ => new FakeMergeSettings(approvalsRequired, onlyAllowMergeIfAllDiscussionsAreResolved));

    /// <summary>What GitLab's merge checks say about the merge request now.</summary>
    public MergeStatus GetMergeStatus(long projectId, long iid) => _store.MergeStatusOf(GetMergeRequest(projectId, iid));

    /// <summary>The merge request's resolvable threads, oldest first.</summary>
    public IReadOnlyList<FakeDiscussion> DiscussionsOn(long projectId, long iid) => _store.Discussions(projectId, iid);

    /// <summary>
    /// <paramref name="approver"/> (the API user when null) approves the merge request; GitLab then
    /// sends a Merge Request Hook with action <c>approval</c>, or <c>approved</c> when that approval
    /// was the last one needed. False when that user had approved it already.
    /// </summary>
    public async Task<bool> ApproveAsync(long projectId, long iid, FakeUser? approver = null, CancellationToken cancellationToken = default)
    {
        var user = approver ?? ApiUser;
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m.ApprovedBy.Any(u => u.Id == user.Id)
            ? m
            : m with { ApprovedBy = [.. m.ApprovedBy, user], UpdatedAt = now });
        if (ReferenceEquals(before, after))
        {
            return false;
        }

        var action = _store.MergeStatusOf(after).ApprovalsLeft == 0 ? "approved" : "approval";
        await await QueueMergeRequestHookAsync(entry, user, after, action, null, new JsonObject()).WaitAsync(cancellationToken);

        return true;
    }

    /// <summary>
    /// <paramref name="approver"/> (the API user when null) revokes an approval; the hook's action
    /// is <c>unapproved</c> when the merge request lost its approved state, else <c>unapproval</c>.
    /// False when that user had not approved it.
    /// </summary>
    public async Task<bool> UnapproveAsync(long projectId, long iid, FakeUser? approver = null, CancellationToken cancellationToken = default)
    {
        var user = approver ?? ApiUser;
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m.ApprovedBy.Any(u => u.Id == user.Id)
            ? m with { ApprovedBy = [.. m.ApprovedBy.Where(u => u.Id != user.Id)], UpdatedAt = now }
            : m);
        if (ReferenceEquals(before, after))
        {
            return false;
        }

        var wasApproved = _store.MergeStatusOf(before).ApprovalsLeft == 0 && _store.MergeSettings(projectId).ApprovalsRequired > 0;
        var action = wasApproved && _store.MergeStatusOf(after).ApprovalsLeft > 0 ? "unapproved" : "unapproval";
        await await QueueMergeRequestHookAsync(entry, user, after, action, null, new JsonObject()).WaitAsync(cancellationToken);

        return true;
    }

    /// <summary>
    /// Starts an unresolved thread on the merge request (its first note's Note Hook is sent), as
    /// <paramref name="author"/> (the developer when null).
    /// </summary>
    public async Task<FakeDiscussion> StartThreadAsync(long projectId, long iid, string body, FakeUser? author = null, CancellationToken cancellationToken = default)
    {
        var entry = _store.GetProject(projectId);
        var (discussion, delivery) = await AddDiscussionAsync(entry, GetMergeRequest(projectId, iid), body, author ?? Developer);
        await delivery.WaitAsync(cancellationToken);

        return discussion;
    }

    /// <summary>Resolves (or reopens) a thread, as <paramref name="user"/> (the developer when null).</summary>
    public FakeDiscussion ResolveThread(long projectId, long iid, string discussionId, bool resolved = true, FakeUser? user = null) =>
        SetResolved(projectId, iid, discussionId, resolved, user ?? Developer) ?? throw new KeyNotFoundException($"No thread {discussionId} on !{iid}.");

    internal async Task<(FakeDiscussion Discussion, Task Delivery)> AddDiscussionAsync(ProjectEntry entry, FakeMergeRequest mergeRequest, string body, FakeUser author)
    {
        var (note, delivery) = await AddNoteAsync(entry, mergeRequest, body, author);
        // GitLab's discussion ids are 40 hex digits.
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

        return (_store.AddDiscussion(new FakeDiscussion(id, entry.Project.Id, mergeRequest.Iid, note)), delivery);
    }

    internal FakeDiscussion? SetResolved(long projectId, long iid, string discussionId, bool resolved, FakeUser user)
    {
        var now = Now;

        return _store.UpdateDiscussion(projectId, iid, discussionId, d => d with
        {
            Resolved = resolved,
            ResolvedBy = resolved ? user : null,
            ResolvedAt = resolved ? now : null,
        });
    }
}
