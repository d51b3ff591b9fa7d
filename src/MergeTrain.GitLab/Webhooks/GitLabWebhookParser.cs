using System.Text.Json;

namespace MergeTrain.GitLab.Webhooks;

/// <summary>
/// Turns a GitLab webhook delivery (its <c>X-Gitlab-Event</c> header and JSON body) into a typed
/// event. Extra fields are ignored, so newer GitLab versions keep working; fields MergeTrain needs
/// must be there.
/// </summary>
public static class GitLabWebhookParser
{
    private const string MergeRequestNoteable = "MergeRequest";

    /// <summary>Parses one delivery.</summary>
    /// <param name="eventHeader">The <c>X-Gitlab-Event</c> header value.</param>
    /// <param name="body">The request body.</param>
    /// <returns>
    /// A <see cref="MergeRequestHookEvent"/>, <see cref="NoteHookEvent"/>, <see cref="PipelineHookEvent"/> or
    /// <see cref="PushHookEvent"/>; <see cref="IgnoredWebhookEvent"/> for comments not on an MR and for other
    /// event kinds GitLab documents.
    /// </returns>
    /// <exception cref="WebhookParseException">The header is absent or unknown, the body is not JSON, or a needed field is missing or mistyped.</exception>
    public static GitLabWebhookEvent Parse(string? eventHeader, string body)
    {
        var eventName = Canonical(eventHeader);
        using var document = ReadJson(eventName, body);
        var root = new JsonPayload(eventName, document.RootElement, string.Empty);
        return eventName switch
        {
            GitLabEventNames.MergeRequest => MergeRequestHook(root),
            GitLabEventNames.Note or GitLabEventNames.ConfidentialNote => NoteHook(eventName, root),
            GitLabEventNames.Pipeline => PipelineHook(root),
            GitLabEventNames.Push => PushHook(root),
            _ => new IgnoredWebhookEvent(eventName, ProjectIdIfAny(root), $"MergeTrain does not use {eventName} events."),
        };
    }

    private static string Canonical(string? eventHeader)
    {
        var name = eventHeader?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw new WebhookParseException("The X-Gitlab-Event header is missing: cannot tell which GitLab event this is.");
        }

        string[] used = [GitLabEventNames.MergeRequest, GitLabEventNames.Note, GitLabEventNames.ConfidentialNote, GitLabEventNames.Pipeline, GitLabEventNames.Push];
        var known = used.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
        if (known is not null)
        {
            return known;
        }

        return GitLabEventNames.Unused.Contains(name)
            ? name
            : throw new WebhookParseException($"Unknown X-Gitlab-Event '{name}': expected one of {string.Join(", ", used.Select(n => $"'{n}'"))}.");
    }

    private static JsonDocument ReadJson(string eventName, string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body ?? string.Empty);
        }
        catch (JsonException error)
        {
            throw new WebhookParseException($"{eventName}: the body is not valid JSON ({error.Message})", error);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind.ToString().ToLowerInvariant();
            document.Dispose();
            throw new WebhookParseException($"{eventName}: the body should be a JSON object but is {kind}.");
        }

        if (UnstorableText.Find(document.RootElement, string.Empty) is { } where)
        {
            document.Dispose();
            throw new WebhookParseException(
                $"{eventName}: {where} holds a NUL character or an unpaired UTF-16 surrogate (\\u0000, \\ud800), which no GitLab sends and a JSON column cannot store.");
        }

        return document;
    }

    private static MergeRequestHookEvent MergeRequestHook(JsonPayload root)
    {
        ExpectKind(root, "merge_request");
        var attributes = root.Object("object_attributes");
        var labels = LabelTitles(root.Array("labels"));
        var changes = root.TryObject("changes");
        var labelChange = changes?.TryObject("labels");
        var action = attributes.TryString("action");
        IReadOnlyList<string> added = [];
        IReadOnlyList<string> removed = [];
        if (labelChange is { } change)
        {
            var previous = LabelTitles(change.Array("previous"));
            var current = LabelTitles(change.Array("current"));
            added = [.. current.Except(previous, StringComparer.Ordinal)];
            removed = [.. previous.Except(current, StringComparer.Ordinal)];
            if (labels.Count == 0)
            {
                labels = current;
            }
        }
        else if (action == "open")
        {
            // GitLab versions that send no changes.labels on creation: labels set at creation are additions.
            added = labels;
        }

        return new MergeRequestHookEvent(
            Project(root),
            User(root.Object("user")),
            attributes.Int64("id"),
            attributes.Int32("iid"),
            attributes.String("title"),
            attributes.TryString("description"),
            attributes.String("state"),
            action,
            IsDraft(attributes) ?? false,
            DraftChanged(changes),
            attributes.Object("last_commit").String("id"),
            attributes.RefName("source_branch"),
            attributes.RefName("target_branch"),
            attributes.TryInt64("source_project_id"),
            attributes.TryInt64("target_project_id"),
            attributes.TryString("oldrev"),
            attributes.TryString("merge_commit_sha"),
            attributes.TryString("url"),
            attributes.TryTimestamp("created_at"),
            attributes.TryTimestamp("updated_at"),
            labels,
            added,
            removed);
    }

    private static GitLabWebhookEvent NoteHook(string eventName, JsonPayload root)
    {
        ExpectKind(root, "note");
        var attributes = root.Object("object_attributes");
        var noteableType = attributes.String("noteable_type");
        if (noteableType != MergeRequestNoteable)
        {
            return new IgnoredWebhookEvent(eventName, ProjectIdIfAny(root), $"The comment is on a {noteableType}, not a merge request.");
        }

        return new NoteHookEvent(
            eventName,
            Project(root),
            User(root.Object("user")),
            attributes.Int64("id"),
            attributes.String("note"),
            attributes.TryString("url"),
            attributes.TryTimestamp("created_at"),
            MergeRequest(root.Object("merge_request")));
    }

    private static PipelineHookEvent PipelineHook(JsonPayload root)
    {
        ExpectKind(root, "pipeline");
        var attributes = root.Object("object_attributes");
        var project = Project(root);
        var id = attributes.Int64("id");
        var webUrl = attributes.TryString("url")
            ?? (project.WebUrl is { } projectUrl ? $"{projectUrl.TrimEnd('/')}/-/pipelines/{id}" : null);
        return new PipelineHookEvent(
            project,
            root.TryObject("user") is { } user ? User(user) : null,
            id,
            attributes.RefName("ref"),
            attributes.String("sha"),
            attributes.String("status"),
            attributes.TryString("source"),
            attributes.TryBoolean("tag") ?? false,
            webUrl,
            attributes.TryTimestamp("created_at"),
            attributes.TryTimestamp("finished_at"),
            attributes.TryDouble("duration"),
            root.TryObject("merge_request") is { } mergeRequest ? MergeRequest(mergeRequest) : null);
    }

    private static PushHookEvent PushHook(JsonPayload root)
    {
        ExpectKind(root, "push");
        var total = root.TryInt64("total_commits_count");
        return new PushHookEvent(
            Project(root),
            new WebhookUser(root.TryInt64("user_id"), root.String("user_username"), root.TryString("user_name")),
            root.RefName("ref"),
            root.String("before"),
            root.String("after"),
            root.TryString("checkout_sha"),
            total is { } count ? (int)Math.Min(count, int.MaxValue) : null);
    }

    /// <summary>A header that disagrees with the body's <c>object_kind</c> means a mislabelled delivery; better refused than misread.</summary>
    private static void ExpectKind(JsonPayload root, string expected)
    {
        var kind = root.TryString("object_kind");
        if (kind is not null && kind != expected)
        {
            throw new WebhookParseException($"{root.EventName}: the body's object_kind is '{kind}', not '{expected}'.");
        }
    }

    private static WebhookProject Project(JsonPayload root)
    {
        var project = root.Object("project");
        var id = project.TryInt64("id") ?? root.TryInt64("project_id") ?? throw project.Missing("id");
        return new WebhookProject(id, project.String("path_with_namespace"), project.TryString("web_url"));
    }

    private static long? ProjectIdIfAny(JsonPayload root)
    {
        try
        {
            return root.TryObject("project")?.TryInt64("id") ?? root.TryInt64("project_id");
        }
        catch (WebhookParseException)
        {
            // An ignored event's project id is only a hint for logs; a malformed one is not worth a 400.
            return null;
        }
    }

    private static WebhookUser User(JsonPayload user) =>
        new(user.TryInt64("id"), user.String("username"), user.TryString("name"));

    private static WebhookMergeRequest MergeRequest(JsonPayload mergeRequest) =>
        new(
            mergeRequest.TryInt64("id"),
            mergeRequest.Int32("iid"),
            mergeRequest.String("title"),
            mergeRequest.RefName("source_branch"),
            mergeRequest.RefName("target_branch"),
            mergeRequest.String("state"),
            mergeRequest.TryObject("last_commit")?.TryString("id"),
            IsDraft(mergeRequest),
            mergeRequest.TryString("url"));

    /// <summary><c>draft</c> replaced <c>work_in_progress</c> in GitLab 14; older instances send only the latter.</summary>
    private static bool? IsDraft(JsonPayload attributes) =>
        attributes.TryBoolean("draft") ?? attributes.TryBoolean("work_in_progress");

    private static DraftChange? DraftChanged(JsonPayload? changes)
    {
        var change = changes?.TryObject("draft") ?? changes?.TryObject("work_in_progress");
        return change is { } value
            ? new DraftChange(value.TryBoolean("previous") ?? false, value.TryBoolean("current") ?? false)
            : null;
    }

    /// <summary>Labels are objects with a <c>title</c>; plain strings are accepted too.</summary>
    private static List<string> LabelTitles(IReadOnlyList<JsonPayload> labels) =>
        [.. labels.Select(label => label.Element.ValueKind == JsonValueKind.String ? label.Element.GetString()! : label.String("title"))];
}
