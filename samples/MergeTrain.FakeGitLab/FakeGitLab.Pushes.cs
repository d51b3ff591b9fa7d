using MergeTrain.FakeGitLab.Git;
using MergeTrain.FakeGitLab.Webhooks;

namespace MergeTrain.FakeGitLab;

/// <summary>What GitLab does after a push: Push Hooks, push pipelines, merge request updates, merged detection.</summary>
public sealed partial class FakeGitLab
{
    private const int PushHookCommitLimit = 20;

    private async Task<IReadOnlyList<Task>> OnBranchesMovedAsync(
        ProjectEntry entry, IReadOnlyList<BranchMove> moves, IReadOnlyDictionary<string, string> heads, FakeUser pusher)
    {
        var deliveries = new List<Task>();
        foreach (var move in moves)
        {
            deliveries.Add(await QueuePushHookAsync(entry, move, heads, pusher));
        }

        // GitLab runs the project's CI on a push where its workflow rules allow it (a deleted branch runs nothing).
        foreach (var move in moves.Where(m => m.After != BareRepository.ZeroSha && Ci.PushPipelineBranches.Contains(m.Branch)))
        {
            StartPipeline(entry, move.Branch, move.After, "push", new Dictionary<string, string>(), pusher);
        }

        var projectId = entry.Project.Id;
        var open = _store.MergeRequests().Where(m => m.ProjectId == projectId && m.State == MergeRequestStates.Opened).ToList();

        // New commits on a source branch update its merge request, as a push to an MR branch does in GitLab.
        foreach (var move in moves.Where(m => m.After != BareRepository.ZeroSha))
        {
            foreach (var mergeRequest in open.Where(m => m.SourceBranch == move.Branch && m.Sha != move.After))
            {
                await entry.Repository.UpdateRefAsync($"refs/merge-requests/{mergeRequest.Iid}/head", move.After, _stopping.Token);
                var now = Now;
                var (before, after) = _store.UpdateMergeRequest(projectId, mergeRequest.Iid, m => m with { Sha = move.After, UpdatedAt = now });
                var changes = new System.Text.Json.Nodes.JsonObject
                {
                    ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
                };
                deliveries.Add(await QueueMergeRequestHookAsync(entry, pusher, after, "update", before.Sha, changes));
            }
        }

        // GitLab marks a merge request merged once its head is contained in its target branch.
        var movedTargets = moves.Where(m => m.After != BareRepository.ZeroSha).Select(m => m.Branch).ToHashSet(StringComparer.Ordinal);
        foreach (var mergeRequest in _store.MergeRequests().Where(m => m.ProjectId == projectId && m.State == MergeRequestStates.Opened))
        {
            if (!movedTargets.Contains(mergeRequest.TargetBranch) || !heads.TryGetValue(mergeRequest.TargetBranch, out var targetHead))
            {
                continue;
            }

            if (!await entry.Repository.IsAncestorAsync(mergeRequest.Sha, targetHead, _stopping.Token))
            {
                continue;
            }

            var now = Now;
            var (before, after) = _store.UpdateMergeRequest(projectId, mergeRequest.Iid, m => m with
            {
                State = MergeRequestStates.Merged,
                MergeCommitSha = targetHead,
                MergedAt = now,
                UpdatedAt = now,
            });
            var changes = new System.Text.Json.Nodes.JsonObject
            {
                ["state_id"] = WebhookPayloads.Change(1, 3),
                ["updated_at"] = WebhookPayloads.Change(GitLabTime.Hook(before.UpdatedAt), GitLabTime.Hook(after.UpdatedAt)),
            };
            deliveries.Add(await QueueMergeRequestHookAsync(entry, pusher, after, "merge", null, changes));
        }

        return deliveries;
    }

    private async Task<Task> QueuePushHookAsync(ProjectEntry entry, BranchMove move, IReadOnlyDictionary<string, string> heads, FakeUser pusher)
    {
        var repository = entry.Repository;
        var commits = new List<(GitCommit, IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>)>();
        var total = 0;
        if (move.After != BareRepository.ZeroSha)
        {
            // For a new branch, GitLab lists the commits no other branch has.
            IEnumerable<string> excluded = move.Before != BareRepository.ZeroSha
                ? [move.Before]
                : heads.Where(h => h.Key != move.Branch).Select(h => h.Value);
            var excludedList = excluded.ToList();
            total = await repository.CountCommitsAsync(move.After, excludedList, _stopping.Token);
            foreach (var sha in await repository.NewCommitsAsync(move.After, excludedList, PushHookCommitLimit, _stopping.Token))
            {
                var (added, modified, removed) = await repository.ChangedFilesAsync(sha, _stopping.Token);
                commits.Add((await ReadCommitAsync(entry, sha, _stopping.Token), added, modified, removed));
            }
        }

        var payload = _payloads.PushHook(entry.Project, pusher, move.Branch, move.Before, move.After, commits, total);

        return _sender.SendAsync("Push Hook", payload);
    }
}
