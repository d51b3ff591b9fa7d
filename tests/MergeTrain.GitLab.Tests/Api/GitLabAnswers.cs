namespace MergeTrain.GitLab.Tests.Api;

/// <summary>Answers shaped like GitLab's documented v4 responses, extra fields included.</summary>
internal static class GitLabAnswers
{
    public const string MergeRequest = """
        {
          "id": 90311,
          "iid": 7,
          "project_id": 42,
          "title": "Accept trailing commas in widget specs",
          "description": "Teaches the parser to accept trailing commas.",
          "state": "opened",
          "created_at": "2025-03-11T09:14:02.118Z",
          "updated_at": "2025-03-11T13:40:05.902Z",
          "merged_by": null,
          "merge_user": null,
          "merged_at": null,
          "closed_by": null,
          "closed_at": null,
          "target_branch": "main",
          "source_branch": "parser-trailing-commas",
          "user_notes_count": 2,
          "upvotes": 0,
          "downvotes": 0,
          "author": {
            "id": 17,
            "username": "dwhitfield",
            "name": "Dana Whitfield",
            "state": "active",
            "locked": false,
            "avatar_url": "https://gitlab.example.com/uploads/-/system/user/avatar/17/avatar.png",
            "web_url": "https://gitlab.example.com/dwhitfield"
          },
          "assignees": [],
          "reviewers": [],
          "source_project_id": 42,
          "target_project_id": 42,
          "labels": ["backend", "merge-train"],
          "draft": false,
          "work_in_progress": false,
          "milestone": null,
          "merge_when_pipeline_succeeds": false,
          "merge_status": "can_be_merged",
          "detailed_merge_status": "mergeable",
          "sha": "b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09",
          "merge_commit_sha": null,
          "squash_commit_sha": null,
          "discussion_locked": null,
          "should_remove_source_branch": null,
          "force_remove_source_branch": true,
          "reference": "!7",
          "references": { "short": "!7", "relative": "!7", "full": "acme/widgets!7" },
          "web_url": "https://gitlab.example.com/acme/widgets/-/merge_requests/7",
          "time_stats": { "time_estimate": 0, "total_time_spent": 0, "human_time_estimate": null, "human_total_time_spent": null },
          "squash": false,
          "task_completion_status": { "count": 0, "completed_count": 0 },
          "has_conflicts": false,
          "blocking_discussions_resolved": true
        }
        """;

    public static string Pipeline(long id, string status, string gitRef = "merge-train/main/7", string sha = "e4a1b9c07d2f3e65a8b4c1d0f9e7a2b36c5d8e14") => $$"""
        {
          "id": {{id}},
          "iid": 812,
          "project_id": 42,
          "name": null,
          "status": "{{status}}",
          "ref": "{{gitRef}}",
          "sha": "{{sha}}",
          "before_sha": "0000000000000000000000000000000000000000",
          "tag": false,
          "yaml_errors": null,
          "user": { "id": 31, "username": "mergetrain-bot", "name": "MergeTrain bot", "state": "active", "avatar_url": null, "web_url": "https://gitlab.example.com/mergetrain-bot" },
          "created_at": "2025-03-11T13:53:10.331Z",
          "updated_at": "2025-03-11T13:53:11.027Z",
          "started_at": null,
          "finished_at": null,
          "committed_at": null,
          "duration": null,
          "queued_duration": null,
          "coverage": null,
          "source": "api",
          "web_url": "https://gitlab.example.com/acme/widgets/-/pipelines/{{id}}"
        }
        """;

    public const string Note = """
        {
          "id": 1204501,
          "type": null,
          "body": "merged by the merge train (pipeline #551940)",
          "author": { "id": 31, "username": "mergetrain-bot", "name": "MergeTrain bot", "state": "active" },
          "created_at": "2025-03-11T14:02:01.004Z",
          "updated_at": "2025-03-11T14:02:01.004Z",
          "system": false,
          "noteable_id": 90311,
          "noteable_type": "MergeRequest",
          "noteable_iid": 7,
          "resolvable": false,
          "confidential": false,
          "internal": false
        }
        """;

    public const string CommitStatus = """
        {
          "id": 7720090,
          "sha": "b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09",
          "ref": null,
          "status": "failed",
          "name": "merge-train",
          "target_url": "https://gitlab.example.com/acme/widgets/-/pipelines/551941",
          "description": "Merged result pipeline failed",
          "created_at": "2025-03-11T14:05:00.000Z",
          "started_at": null,
          "finished_at": "2025-03-11T14:05:00.000Z",
          "allow_failure": false,
          "coverage": null,
          "author": { "id": 31, "username": "mergetrain-bot", "name": "MergeTrain bot", "state": "active" }
        }
        """;
}
