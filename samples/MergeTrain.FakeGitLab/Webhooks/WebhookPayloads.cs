using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MergeTrain.FakeGitLab.Git;

namespace MergeTrain.FakeGitLab.Webhooks;

/// <summary>The JSON bodies of the Merge Request, Note, Pipeline and Push hooks, shaped as GitLab documents them.</summary>
internal sealed class WebhookPayloads(string baseUrl, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(long ProjectId, string Title), long> _labelIds = new();
    private readonly DateTimeOffset _labelsCreatedAt = timeProvider.GetUtcNow();

    public JsonObject MergeRequestHook(
        FakeProject project,
        FakeUser user,
        FakeMergeRequest mergeRequest,
        GitCommit lastCommit,
        string action,
        string? oldrev,
        JsonObject changes)
    {
        var attributes = MergeRequestAttributes(project, mergeRequest, lastCommit);
        attributes["action"] = action;
        if (oldrev is not null)
        {
            attributes["oldrev"] = oldrev;
        }

        return new JsonObject
        {
            ["object_kind"] = "merge_request",
            ["event_type"] = "merge_request",
            ["user"] = User(user),
            ["project"] = Project(project),
            ["object_attributes"] = attributes,
            ["labels"] = Labels(project, mergeRequest.Labels),
            ["changes"] = changes,
            ["repository"] = Repository(project),
            ["assignees"] = new JsonArray(),
            ["reviewers"] = new JsonArray(),
        };
    }

    /// <summary>A <c>changes</c> entry: <c>{"previous": ..., "current": ...}</c>.</summary>
    public static JsonObject Change(JsonNode? previous, JsonNode? current) => new() { ["previous"] = previous, ["current"] = current };

    public JsonObject LabelsChange(FakeProject project, IReadOnlyList<string> previous, IReadOnlyList<string> current) =>
        Change(Labels(project, previous), Labels(project, current));

    public JsonObject NoteHook(FakeProject project, FakeUser user, FakeNote note, FakeMergeRequest mergeRequest, GitCommit lastCommit) => new()
    {
        ["object_kind"] = "note",
        ["event_type"] = "note",
        ["user"] = User(user),
        ["project_id"] = project.Id,
        ["project"] = Project(project),
        ["object_attributes"] = new JsonObject
        {
            ["attachment"] = null,
            ["author_id"] = note.Author.Id,
            ["change_position"] = null,
            ["commit_id"] = null,
            ["created_at"] = GitLabTime.Hook(note.CreatedAt),
            ["discussion_id"] = DiscussionId(note.Id),
            ["id"] = note.Id,
            ["line_code"] = null,
            ["note"] = note.Body,
            ["noteable_id"] = mergeRequest.Id,
            ["noteable_type"] = "MergeRequest",
            ["original_position"] = null,
            ["position"] = null,
            ["project_id"] = project.Id,
            ["resolved_at"] = null,
            ["resolved_by_id"] = null,
            ["resolved_by_push"] = null,
            ["st_diff"] = null,
            ["system"] = false,
            ["type"] = null,
            ["updated_at"] = GitLabTime.Hook(note.CreatedAt),
            ["updated_by_id"] = null,
            ["description"] = note.Body,
            ["url"] = $"{mergeRequest.WebUrl}#note_{note.Id}",
            ["action"] = "create",
        },
        ["repository"] = Repository(project),
        ["merge_request"] = MergeRequestAttributes(project, mergeRequest, lastCommit),
    };

    public JsonObject PipelineHook(FakeProject project, FakePipeline pipeline, GitCommit commit)
    {
        var variables = new JsonArray();
        foreach (var (key, value) in pipeline.Variables)
        {
            variables.Add(new JsonObject { ["key"] = key, ["value"] = value });
        }

        return new JsonObject
        {
            ["object_kind"] = "pipeline",
            ["object_attributes"] = new JsonObject
            {
                ["id"] = pipeline.Id,
                ["iid"] = pipeline.Iid,
                ["name"] = null,
                ["ref"] = pipeline.Ref,
                ["tag"] = false,
                ["sha"] = pipeline.Sha,
                ["before_sha"] = BareRepository.ZeroSha,
                ["source"] = pipeline.Source,
                ["status"] = pipeline.Status,
                ["detailed_status"] = DetailedStatusText(pipeline.Status),
                ["stages"] = new JsonArray("test"),
                ["created_at"] = GitLabTime.Hook(pipeline.CreatedAt),
                ["finished_at"] = GitLabTime.Hook(pipeline.FinishedAt),
                ["duration"] = pipeline.DurationSeconds,
                ["queued_duration"] = pipeline.StartedAt is { } started ? (int)(started - pipeline.CreatedAt).TotalSeconds : null,
                ["variables"] = variables,
                ["url"] = pipeline.WebUrl,
            },
            // Branch pipelines (all the simulator runs) belong to no merge request.
            ["merge_request"] = null,
            ["user"] = User(pipeline.User),
            ["project"] = Project(project),
            ["commit"] = Commit(project, commit),
            ["source_pipeline"] = null,
            ["builds"] = new JsonArray([.. pipeline.LatestJobs.Select(job => (JsonNode)Build(pipeline, job))]),
        };
    }

    public JsonObject PushHook(
        FakeProject project,
        FakeUser user,
        string branch,
        string before,
        string after,
        IReadOnlyList<(GitCommit Commit, IReadOnlyList<string> Added, IReadOnlyList<string> Modified, IReadOnlyList<string> Removed)> commits,
        int totalCommitsCount)
    {
        var list = new JsonArray();
        foreach (var (commit, added, modified, removed) in commits)
        {
            var node = Commit(project, commit);
            node["added"] = Strings(added);
            node["modified"] = Strings(modified);
            node["removed"] = Strings(removed);
            list.Add(node);
        }

        return new JsonObject
        {
            ["object_kind"] = "push",
            ["event_name"] = "push",
            ["before"] = before,
            ["after"] = after,
            ["ref"] = "refs/heads/" + branch,
            ["ref_protected"] = branch == project.DefaultBranch,
            ["checkout_sha"] = after == BareRepository.ZeroSha ? null : after,
            ["message"] = null,
            ["user_id"] = user.Id,
            ["user_name"] = user.Name,
            ["user_username"] = user.Username,
            ["user_email"] = "",
            ["user_avatar"] = AvatarUrl(user),
            ["project_id"] = project.Id,
            ["project"] = Project(project),
            ["commits"] = list,
            ["total_commits_count"] = totalCommitsCount,
            ["push_options"] = new JsonObject(),
            ["repository"] = new JsonObject
            {
                ["name"] = project.Name,
                ["url"] = SshUrl(project),
                ["description"] = "",
                ["homepage"] = project.WebUrl,
                ["git_http_url"] = project.WebUrl + ".git",
                ["git_ssh_url"] = SshUrl(project),
                ["visibility_level"] = 0,
            },
        };
    }

    private JsonObject MergeRequestAttributes(FakeProject project, FakeMergeRequest mergeRequest, GitCommit lastCommit) => new()
    {
        ["assignee_id"] = null,
        ["author_id"] = mergeRequest.Author.Id,
        ["created_at"] = GitLabTime.Hook(mergeRequest.CreatedAt),
        ["description"] = mergeRequest.Description,
        ["draft"] = mergeRequest.Draft,
        ["head_pipeline_id"] = null,
        ["id"] = mergeRequest.Id,
        ["iid"] = mergeRequest.Iid,
        ["last_edited_at"] = null,
        ["last_edited_by_id"] = null,
        ["merge_commit_sha"] = mergeRequest.MergeCommitSha,
        ["merge_error"] = null,
        ["merge_params"] = new JsonObject { ["force_remove_source_branch"] = "0" },
        ["merge_status"] = "can_be_merged",
        ["merge_user_id"] = null,
        ["merge_when_pipeline_succeeds"] = false,
        ["milestone_id"] = null,
        ["source_branch"] = mergeRequest.SourceBranch,
        ["source_project_id"] = project.Id,
        ["state_id"] = StateId(mergeRequest.State),
        ["target_branch"] = mergeRequest.TargetBranch,
        ["target_project_id"] = project.Id,
        ["time_estimate"] = 0,
        ["title"] = mergeRequest.Title,
        ["updated_at"] = GitLabTime.Hook(mergeRequest.UpdatedAt),
        ["updated_by_id"] = null,
        ["prepared_at"] = GitLabTime.Hook(mergeRequest.CreatedAt),
        ["assignee_ids"] = new JsonArray(),
        ["blocking_discussions_resolved"] = true,
        ["detailed_merge_status"] = mergeRequest.Draft ? "draft_status" : "mergeable",
        ["first_contribution"] = false,
        ["human_time_change"] = null,
        ["human_time_estimate"] = null,
        ["human_total_time_spent"] = null,
        ["labels"] = Labels(project, mergeRequest.Labels),
        ["last_commit"] = Commit(project, lastCommit),
        ["reviewer_ids"] = new JsonArray(),
        ["source"] = Project(project),
        ["state"] = mergeRequest.State,
        ["target"] = Project(project),
        ["time_change"] = 0,
        ["total_time_spent"] = 0,
        ["url"] = mergeRequest.WebUrl,
        ["work_in_progress"] = mergeRequest.Draft,
    };

    private JsonObject Build(FakePipeline pipeline, FakeJob job) => new()
    {
        ["id"] = job.Id,
        ["stage"] = job.Stage,
        ["name"] = job.Name,
        ["status"] = job.Status,
        ["created_at"] = GitLabTime.Hook(job.CreatedAt),
        ["started_at"] = GitLabTime.Hook(job.StartedAt),
        ["finished_at"] = GitLabTime.Hook(job.FinishedAt),
        ["duration"] = job.StartedAt is { } started && job.FinishedAt is { } finished ? (finished - started).TotalSeconds : null,
        ["queued_duration"] = null,
        ["failure_reason"] = job.Status == PipelineStatuses.Failed ? "script_failure" : null,
        ["when"] = "on_success",
        ["manual"] = false,
        ["allow_failure"] = false,
        ["user"] = User(pipeline.User),
        ["runner"] = null,
        ["artifacts_file"] = new JsonObject { ["filename"] = null, ["size"] = null },
        ["environment"] = null,
    };

    private JsonObject Project(FakeProject project) => new()
    {
        ["id"] = project.Id,
        ["name"] = project.Name,
        ["description"] = "",
        ["web_url"] = project.WebUrl,
        ["avatar_url"] = null,
        ["git_ssh_url"] = SshUrl(project),
        ["git_http_url"] = project.WebUrl + ".git",
        ["namespace"] = project.Namespace,
        ["visibility_level"] = 0,
        ["path_with_namespace"] = project.Path,
        ["default_branch"] = project.DefaultBranch,
        ["ci_config_path"] = null,
        ["homepage"] = project.WebUrl,
        ["url"] = SshUrl(project),
        ["ssh_url"] = SshUrl(project),
        ["http_url"] = project.WebUrl + ".git",
    };

    private JsonObject Repository(FakeProject project) => new()
    {
        ["name"] = project.Name,
        ["url"] = SshUrl(project),
        ["description"] = "",
        ["homepage"] = project.WebUrl,
    };

    private JsonObject User(FakeUser user) => new()
    {
        ["id"] = user.Id,
        ["name"] = user.Name,
        ["username"] = user.Username,
        ["avatar_url"] = AvatarUrl(user),
        ["email"] = "[REDACTED]",
    };

    private static JsonObject Commit(FakeProject project, GitCommit commit) => new()
    {
        ["id"] = commit.Sha,
        ["message"] = commit.Message + "\n",
        ["title"] = commit.Title,
        ["timestamp"] = GitLabTime.Commit(commit.AuthoredAt),
        ["url"] = $"{project.WebUrl}/-/commit/{commit.Sha}",
        ["author"] = new JsonObject { ["name"] = commit.AuthorName, ["email"] = commit.AuthorEmail },
    };

    private JsonArray Labels(FakeProject project, IReadOnlyList<string> titles)
    {
        var labels = new JsonArray();
        foreach (var title in titles)
        {
            labels.Add(new JsonObject
            {
                ["id"] = _labelIds.GetOrAdd((project.Id, title), _ => 200 + _labelIds.Count),
                ["title"] = title,
                ["color"] = "#6699cc",
                ["project_id"] = project.Id,
                ["created_at"] = GitLabTime.Hook(_labelsCreatedAt),
                ["updated_at"] = GitLabTime.Hook(_labelsCreatedAt),
                ["template"] = false,
                ["description"] = null,
                ["type"] = "ProjectLabel",
                ["group_id"] = null,
            });
        }

        return labels;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    private static int StateId(string state) => state switch
    {
        MergeRequestStates.Opened => 1,
        MergeRequestStates.Closed => 2,
        MergeRequestStates.Merged => 3,
        _ => 4,
    };

    private static string DetailedStatusText(string status) => status switch
    {
        PipelineStatuses.Success => "passed",
        PipelineStatuses.Canceled => "canceled",
        _ => status,
    };

    private static string DiscussionId(long noteId) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(noteId)))[..40];

    private string AvatarUrl(FakeUser user) => $"{baseUrl}/uploads/-/system/user/avatar/{user.Id}/avatar.png";

    private string SshUrl(FakeProject project) => $"git@{new Uri(baseUrl).Host}:{project.Path}.git";
}
