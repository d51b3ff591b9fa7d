using System.Text.Json.Nodes;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>The API's representations of merge requests, pipelines, notes, statuses, users and projects.</summary>
internal static class ApiJson
{
    public static JsonObject User(FakeUser user, Uri baseUrl) => new()
    {
        ["id"] = user.Id,
        ["username"] = user.Username,
        ["name"] = user.Name,
        ["state"] = "active",
        ["locked"] = false,
        ["avatar_url"] = $"{baseUrl}uploads/-/system/user/avatar/{user.Id}/avatar.png",
        ["web_url"] = baseUrl + user.Username,
    };

    public static JsonObject Project(FakeProject project, FakeMergeSettings settings) => new()
    {
        ["only_allow_merge_if_all_discussions_are_resolved"] = settings.OnlyAllowMergeIfAllDiscussionsAreResolved,
        ["approvals_before_merge"] = settings.ApprovalsRequired,
        ["id"] = project.Id,
        ["description"] = "",
        ["name"] = project.Name,
        ["name_with_namespace"] = project.Path.Replace("/", " / ", StringComparison.Ordinal),
        ["path"] = project.Name,
        ["path_with_namespace"] = project.Path,
        ["default_branch"] = project.DefaultBranch,
        ["web_url"] = project.WebUrl,
        ["http_url_to_repo"] = project.WebUrl + ".git",
        ["visibility"] = "private",
        ["merge_method"] = project.MergeMethod,
        ["squash_option"] = project.SquashOption,
    };

    public static JsonObject MergeRequest(FakeMergeRequest mergeRequest, FakeProject project, MergeStatus status, Uri baseUrl)
    {
        var merged = mergeRequest.State == MergeRequestStates.Merged;
        var closed = mergeRequest.State == MergeRequestStates.Closed;

        return new JsonObject
        {
            ["id"] = mergeRequest.Id,
            ["iid"] = mergeRequest.Iid,
            ["project_id"] = mergeRequest.ProjectId,
            ["title"] = mergeRequest.Title,
            ["description"] = mergeRequest.Description,
            ["state"] = mergeRequest.State,
            ["created_at"] = GitLabTime.Api(mergeRequest.CreatedAt),
            ["updated_at"] = GitLabTime.Api(mergeRequest.UpdatedAt),
            ["merged_by"] = null,
            ["merge_user"] = null,
            ["merged_at"] = GitLabTime.Api(mergeRequest.MergedAt),
            ["closed_by"] = closed ? User(mergeRequest.Author, baseUrl) : null,
            ["closed_at"] = GitLabTime.Api(mergeRequest.ClosedAt),
            ["target_branch"] = mergeRequest.TargetBranch,
            ["source_branch"] = mergeRequest.SourceBranch,
            ["user_notes_count"] = 0,
            ["upvotes"] = 0,
            ["downvotes"] = 0,
            ["author"] = User(mergeRequest.Author, baseUrl),
            ["assignees"] = new JsonArray(),
            ["assignee"] = null,
            ["reviewers"] = new JsonArray(),
            ["source_project_id"] = mergeRequest.ProjectId,
            ["target_project_id"] = mergeRequest.ProjectId,
            ["labels"] = new JsonArray([.. mergeRequest.Labels.Select(l => (JsonNode)JsonValue.Create(l))]),
            ["draft"] = mergeRequest.Draft,
            ["work_in_progress"] = mergeRequest.Draft,
            ["milestone"] = null,
            ["merge_when_pipeline_succeeds"] = false,
            ["merge_status"] = merged ? "merged" : "can_be_merged",
            ["detailed_merge_status"] = status.Detailed,
            ["merge_after"] = null,
            ["sha"] = mergeRequest.Sha,
            ["merge_commit_sha"] = mergeRequest.MergeCommitSha,
            ["squash_commit_sha"] = null,
            ["discussion_locked"] = null,
            ["should_remove_source_branch"] = null,
            ["force_remove_source_branch"] = false,
            ["prepared_at"] = GitLabTime.Api(mergeRequest.CreatedAt),
            ["reference"] = "!" + mergeRequest.Iid,
            ["references"] = new JsonObject
            {
                ["short"] = "!" + mergeRequest.Iid,
                ["relative"] = "!" + mergeRequest.Iid,
                ["full"] = project.Path + "!" + mergeRequest.Iid,
            },
            ["web_url"] = mergeRequest.WebUrl,
            ["time_stats"] = new JsonObject
            {
                ["time_estimate"] = 0,
                ["total_time_spent"] = 0,
                ["human_time_estimate"] = null,
                ["human_total_time_spent"] = null,
            },
            ["squash"] = mergeRequest.Squash,
            ["squash_on_merge"] = project.SquashesOnMerge(mergeRequest.Squash),
            ["task_completion_status"] = new JsonObject { ["count"] = 0, ["completed_count"] = 0 },
            ["has_conflicts"] = false,
            ["blocking_discussions_resolved"] = status.BlockingDiscussionsResolved,
            ["approvals_before_merge"] = status.ApprovalsRequired == 0 ? null : status.ApprovalsRequired,
            ["subscribed"] = false,
            ["changes_count"] = null,
            ["latest_build_started_at"] = null,
            ["latest_build_finished_at"] = null,
            ["first_deployed_to_production_at"] = null,
            ["pipeline"] = null,
            ["head_pipeline"] = null,
            ["diff_refs"] = new JsonObject
            {
                ["base_sha"] = mergeRequest.BaseSha,
                ["head_sha"] = mergeRequest.Sha,
                ["start_sha"] = mergeRequest.BaseSha,
            },
            ["merge_error"] = null,
            ["first_contribution"] = false,
            ["user"] = new JsonObject { ["can_merge"] = true },
        };
    }

    /// <summary>The short form used in lists.</summary>
    public static JsonObject PipelineSummary(FakePipeline pipeline) => new()
    {
        ["id"] = pipeline.Id,
        ["iid"] = pipeline.Iid,
        ["project_id"] = pipeline.ProjectId,
        ["sha"] = pipeline.Sha,
        ["ref"] = pipeline.Ref,
        ["status"] = pipeline.Status,
        ["source"] = pipeline.Source,
        ["created_at"] = GitLabTime.Api(pipeline.CreatedAt),
        ["updated_at"] = GitLabTime.Api(pipeline.UpdatedAt),
        ["web_url"] = pipeline.WebUrl,
    };

    public static JsonObject Pipeline(FakePipeline pipeline, Uri baseUrl)
    {
        var node = PipelineSummary(pipeline);
        node["name"] = null;
        node["before_sha"] = Git.BareRepository.ZeroSha;
        node["tag"] = false;
        node["yaml_errors"] = null;
        node["user"] = User(pipeline.User, baseUrl);
        node["started_at"] = GitLabTime.Api(pipeline.StartedAt);
        node["finished_at"] = GitLabTime.Api(pipeline.FinishedAt);
        node["committed_at"] = null;
        node["duration"] = pipeline.DurationSeconds;
        node["queued_duration"] = pipeline.StartedAt is { } started ? (started - pipeline.CreatedAt).TotalSeconds : null;
        node["coverage"] = null;
        node["detailed_status"] = DetailedStatus(pipeline);
        node["archived"] = false;

        return node;
    }

    public static JsonObject Job(FakeJob job, FakePipeline pipeline, Uri baseUrl) => new()
    {
        ["id"] = job.Id,
        ["status"] = job.Status,
        ["stage"] = job.Stage,
        ["name"] = job.Name,
        ["ref"] = pipeline.Ref,
        ["tag"] = false,
        ["coverage"] = null,
        ["allow_failure"] = false,
        ["created_at"] = GitLabTime.Api(job.CreatedAt),
        ["started_at"] = GitLabTime.Api(job.StartedAt),
        ["finished_at"] = GitLabTime.Api(job.FinishedAt),
        ["duration"] = job.StartedAt is { } started && job.FinishedAt is { } finished ? (finished - started).TotalSeconds : null,
        ["failure_reason"] = job.Status == PipelineStatuses.Failed ? "script_failure" : null,
        ["retried"] = job.Retried,
        ["user"] = User(pipeline.User, baseUrl),
        ["pipeline"] = new JsonObject
        {
            ["id"] = pipeline.Id,
            ["project_id"] = pipeline.ProjectId,
            ["ref"] = pipeline.Ref,
            ["sha"] = pipeline.Sha,
            ["status"] = pipeline.Status,
        },
        ["web_url"] = $"{pipeline.WebUrl.Replace("/-/pipelines/" + pipeline.Id, "", StringComparison.Ordinal)}/-/jobs/{job.Id}",
    };

    public static JsonObject Note(FakeNote note, FakeMergeRequest mergeRequest, Uri baseUrl) => new()
    {
        ["id"] = note.Id,
        ["type"] = null,
        ["body"] = note.Body,
        ["attachment"] = null,
        ["author"] = User(note.Author, baseUrl),
        ["created_at"] = GitLabTime.Api(note.CreatedAt),
        ["updated_at"] = GitLabTime.Api(note.CreatedAt),
        ["system"] = false,
        ["noteable_id"] = mergeRequest.Id,
        ["noteable_type"] = "MergeRequest",
        ["project_id"] = note.ProjectId,
        ["resolvable"] = false,
        ["confidential"] = false,
        ["internal"] = false,
        ["imported"] = false,
        ["imported_from"] = "none",
        ["noteable_iid"] = mergeRequest.Iid,
        ["commands_changes"] = new JsonObject(),
    };

    /// <summary>The approvals API's object (<c>GET .../approvals</c>, and the answer to approve and unapprove).</summary>
    public static JsonObject Approvals(FakeMergeRequest mergeRequest, MergeStatus status, Uri baseUrl) => new()
    {
        ["id"] = mergeRequest.Id,
        ["iid"] = mergeRequest.Iid,
        ["project_id"] = mergeRequest.ProjectId,
        ["title"] = mergeRequest.Title,
        ["description"] = mergeRequest.Description,
        ["state"] = mergeRequest.State,
        ["created_at"] = GitLabTime.Api(mergeRequest.CreatedAt),
        ["updated_at"] = GitLabTime.Api(mergeRequest.UpdatedAt),
        ["merge_status"] = "can_be_merged",
        ["approved"] = status.ApprovalsLeft == 0,
        ["approvals_required"] = status.ApprovalsRequired,
        ["approvals_left"] = status.ApprovalsLeft,
        ["approved_by"] = new JsonArray([.. mergeRequest.ApprovedBy.Select(u => (JsonNode)new JsonObject { ["user"] = User(u, baseUrl) })]),
    };

    /// <summary>A resolvable thread as the discussions API shows it: its notes (here, the first) carry the resolution.</summary>
    public static JsonObject Discussion(FakeDiscussion discussion, FakeMergeRequest mergeRequest, Uri baseUrl)
    {
        var note = Note(discussion.FirstNote, mergeRequest, baseUrl);
        note["type"] = "DiscussionNote";
        note["resolvable"] = true;
        note["resolved"] = discussion.Resolved;
        note["resolved_by"] = discussion.ResolvedBy is { } by ? User(by, baseUrl) : null;
        note["resolved_at"] = GitLabTime.Api(discussion.ResolvedAt);

        return new JsonObject
        {
            ["id"] = discussion.Id,
            ["individual_note"] = false,
            ["notes"] = new JsonArray(note),
        };
    }

    public static JsonObject CommitStatus(FakeCommitStatus status, Uri baseUrl)
    {
        var finished = status.State is "success" or "failed" or "canceled" or "skipped";

        return new JsonObject
        {
            ["id"] = status.Id,
            ["sha"] = status.Sha,
            ["ref"] = status.Ref,
            ["status"] = status.State,
            ["name"] = status.Name,
            ["target_url"] = status.TargetUrl,
            ["description"] = status.Description,
            ["created_at"] = GitLabTime.Api(status.CreatedAt),
            ["started_at"] = status.State == "pending" ? null : GitLabTime.Api(status.CreatedAt),
            ["finished_at"] = finished ? GitLabTime.Api(status.CreatedAt) : null,
            ["allow_failure"] = false,
            ["coverage"] = null,
            ["pipeline_id"] = null,
            ["author"] = User(status.Author, baseUrl),
        };
    }

    private static JsonObject DetailedStatus(FakePipeline pipeline)
    {
        var (text, label, icon) = pipeline.Status switch
        {
            PipelineStatuses.Success => ("Passed", "passed", "status_success"),
            PipelineStatuses.Failed => ("Failed", "failed", "status_failed"),
            PipelineStatuses.Canceled => ("Canceled", "canceled", "status_canceled"),
            PipelineStatuses.Running => ("Running", "running", "status_running"),
            _ => ("Created", "created", "status_created"),
        };

        return new JsonObject
        {
            ["icon"] = icon,
            ["text"] = text,
            ["label"] = label,
            ["group"] = pipeline.Status,
            ["tooltip"] = label,
            ["has_details"] = true,
            ["details_path"] = new Uri(pipeline.WebUrl).AbsolutePath,
            ["illustration"] = null,
            ["favicon"] = "/assets/ci_favicons/favicon_" + icon + ".png",
        };
    }
}
