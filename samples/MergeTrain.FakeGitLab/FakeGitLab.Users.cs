using System.Text.Json.Nodes;
using MergeTrain.FakeGitLab.Webhooks;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// What people do in GitLab, acted out by <see cref="Developer"/>. Each action returns once the
/// webhooks it caused were delivered (or failed), so a test can assert right after it.
/// </summary>
public sealed partial class FakeGitLab
{
    /// <summary>
    /// Pushes a source branch with one commit of <see cref="MergeRequestSpec.Files"/> on the base (the
    /// target head unless given), opens the merge request and writes <c>refs/merge-requests/:iid/head</c>.
    /// </summary>
    public async Task<FakeMergeRequest> CreateMergeRequestAsync(long projectId, MergeRequestSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var entry = _store.GetProject(projectId);
        var target = spec.TargetBranch ?? entry.Project.DefaultBranch;
        var ((created, opened), deliveries) = await _watcher.ChangeAsync(Developer, async () =>
        {
            var targetHead = await entry.Repository.ResolveAsync("refs/heads/" + target, cancellationToken)
                ?? throw new InvalidOperationException($"Target branch '{target}' does not exist.");
            var baseSha = spec.BaseSha ?? targetHead;
            var head = spec.Files.Count == 0
                ? baseSha
                : await entry.Repository.CommitAsync(baseSha, spec.Files, spec.CommitMessage ?? spec.Title, Developer, Now, cancellationToken);
            await entry.Repository.UpdateRefAsync("refs/heads/" + spec.SourceBranch, head, cancellationToken);

            var now = Now;
            var mergeRequest = _store.AddMergeRequest(projectId, (id, iid) => new FakeMergeRequest
            {
                Id = id,
                Iid = iid,
                ProjectId = projectId,
                Title = spec.Draft && !spec.Title.StartsWith("Draft: ", StringComparison.Ordinal) ? "Draft: " + spec.Title : spec.Title,
                Description = spec.Description,
                Draft = spec.Draft,
                SourceBranch = spec.SourceBranch,
                TargetBranch = target,
                Sha = head,
                BaseSha = baseSha,
                Labels = [.. spec.Labels],
                Author = Developer,
                CreatedAt = now,
                UpdatedAt = now,
                WebUrl = $"{entry.Project.WebUrl}/-/merge_requests/{iid}",
            });
            await entry.Repository.UpdateRefAsync($"refs/merge-requests/{mergeRequest.Iid}/head", head, cancellationToken);
            var changes = new JsonObject();
            if (mergeRequest.Labels.Count > 0)
            {
                changes["labels"] = _payloads.LabelsChange(entry.Project, [], mergeRequest.Labels);
            }

            return (mergeRequest, await QueueMergeRequestHookAsync(entry, Developer, mergeRequest, "open", null, changes));
        }, cancellationToken);

        await Task.WhenAll([opened, .. deliveries]);

        return GetMergeRequest(projectId, created.Iid);
    }

    /// <summary>Pushes one new commit with <paramref name="files"/> to the merge request's source branch.</summary>
    public async Task<FakeMergeRequest> PushToMergeRequestAsync(
        long projectId, long iid, IReadOnlyDictionary<string, string?> files, string? message = null, CancellationToken cancellationToken = default)
    {
        var mergeRequest = GetMergeRequest(projectId, iid);
        await PushToBranchAsync(projectId, mergeRequest.SourceBranch, files, message ?? $"Update {mergeRequest.SourceBranch}", cancellationToken);

        return GetMergeRequest(projectId, iid);
    }

    /// <summary>
    /// Pushes one commit with <paramref name="files"/> on top of <paramref name="branch"/> (created from
    /// the default branch when missing), as a user with push rights would. Returns the new head.
    /// </summary>
    public async Task<string> PushToBranchAsync(
        long projectId, string branch, IReadOnlyDictionary<string, string?> files, string message, CancellationToken cancellationToken = default)
    {
        var entry = _store.GetProject(projectId);
        var (sha, deliveries) = await _watcher.ChangeAsync(Developer, async () =>
        {
            var parent = await entry.Repository.ResolveAsync("refs/heads/" + branch, cancellationToken)
                ?? await entry.Repository.ResolveAsync("refs/heads/" + entry.Project.DefaultBranch, cancellationToken);
            var commit = await entry.Repository.CommitAsync(parent, files, message, Developer, Now, cancellationToken);
            await entry.Repository.UpdateRefAsync("refs/heads/" + branch, commit, cancellationToken);

            return commit;
        }, cancellationToken);
        await Task.WhenAll(deliveries);

        return sha;
    }

    public Task<FakeMergeRequest> AddLabelAsync(long projectId, long iid, string label, CancellationToken cancellationToken = default) =>
        ChangeLabelsAsync(projectId, iid, labels => labels.Contains(label) ? labels : [.. labels, label], cancellationToken);

    public Task<FakeMergeRequest> RemoveLabelAsync(long projectId, long iid, string label, CancellationToken cancellationToken = default) =>
        ChangeLabelsAsync(projectId, iid, labels => [.. labels.Where(l => l != label)], cancellationToken);

    /// <summary>Marks the merge request draft (title prefixed <c>Draft: </c>) or ready.</summary>
    public async Task<FakeMergeRequest> SetDraftAsync(long projectId, long iid, bool draft, CancellationToken cancellationToken = default)
    {
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m with
        {
            Draft = draft,
            Title = draft
                ? (m.Title.StartsWith("Draft: ", StringComparison.Ordinal) ? m.Title : "Draft: " + m.Title)
                : (m.Title.StartsWith("Draft: ", StringComparison.Ordinal) ? m.Title["Draft: ".Length..] : m.Title),
            UpdatedAt = now,
        });
        var changes = new JsonObject
        {
            ["draft"] = WebhookPayloads.Change(before.Draft, after.Draft),
            ["title"] = WebhookPayloads.Change(before.Title, after.Title),
            ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
        };
        await await QueueMergeRequestHookAsync(entry, Developer, after, "update", null, changes).WaitAsync(cancellationToken);

        return after;
    }

    /// <summary>Changes the merge request's target branch, as the MR's Edit page does (an update hook follows).</summary>
    public async Task<FakeMergeRequest> RetargetAsync(long projectId, long iid, string targetBranch, CancellationToken cancellationToken = default)
    {
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m with { TargetBranch = targetBranch, UpdatedAt = now });
        var changes = new JsonObject
        {
            ["target_branch"] = WebhookPayloads.Change(before.TargetBranch, after.TargetBranch),
            ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
        };
        await await QueueMergeRequestHookAsync(entry, Developer, after, "update", null, changes).WaitAsync(cancellationToken);
        return after;
    }

    public Task<FakeMergeRequest> CloseMergeRequestAsync(long projectId, long iid, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(projectId, iid, MergeRequestStates.Closed, "close", cancellationToken);

    public Task<FakeMergeRequest> ReopenMergeRequestAsync(long projectId, long iid, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(projectId, iid, MergeRequestStates.Opened, "reopen", cancellationToken);

    /// <summary>Comments on the merge request as <see cref="Developer"/> (a Note Hook follows).</summary>
    public async Task<FakeNote> CommentAsync(long projectId, long iid, string body, CancellationToken cancellationToken = default)
    {
        var entry = _store.GetProject(projectId);
        var (note, delivery) = await AddNoteAsync(entry, GetMergeRequest(projectId, iid), body, Developer);
        await delivery.WaitAsync(cancellationToken);

        return note;
    }

    private async Task<FakeMergeRequest> ChangeLabelsAsync(
        long projectId, long iid, Func<IReadOnlyList<string>, IReadOnlyList<string>> change, CancellationToken cancellationToken)
    {
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m with { Labels = change(m.Labels), UpdatedAt = now });
        var changes = new JsonObject
        {
            ["labels"] = _payloads.LabelsChange(entry.Project, before.Labels, after.Labels),
            ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
        };
        await await QueueMergeRequestHookAsync(entry, Developer, after, "update", null, changes).WaitAsync(cancellationToken);

        return after;
    }

    private async Task<FakeMergeRequest> ChangeStateAsync(long projectId, long iid, string state, string action, CancellationToken cancellationToken)
    {
        var entry = _store.GetProject(projectId);
        var now = Now;
        var (before, after) = _store.UpdateMergeRequest(projectId, iid, m => m.State == MergeRequestStates.Merged
            ? throw new InvalidOperationException($"!{iid} is already merged.")
            : m with { State = state, UpdatedAt = now, ClosedAt = state == MergeRequestStates.Closed ? now : null });
        var changes = new JsonObject
        {
            ["state_id"] = WebhookPayloads.Change(StateId(before.State), StateId(after.State)),
            ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
        };
        await await QueueMergeRequestHookAsync(entry, Developer, after, action, null, changes).WaitAsync(cancellationToken);

        return after;
    }

    private static int StateId(string state) => state == MergeRequestStates.Opened ? 1 : state == MergeRequestStates.Closed ? 2 : 3;
}
