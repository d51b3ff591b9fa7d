using System.Text.Json;
using System.Text.Json.Serialization;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Api;

namespace MergeTrain.Application.Trains.Queries;

/// <summary>GitLab's merge train car object, field for field (SPEC section 6).</summary>
public sealed record CarJson(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("merge_request")] MergeRequestJson MergeRequest,
    [property: JsonPropertyName("user")] UserJson User,
    [property: JsonPropertyName("pipeline")] PipelineJson? Pipeline,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("target_branch")] string TargetBranch,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("merged_at")] DateTimeOffset? MergedAt,
    [property: JsonPropertyName("duration")] int? Duration)
{
    /// <summary>
    /// A MergeTrain extension (GitLab's cars have no priority): <c>"high"</c> for a high-priority car,
    /// absent otherwise, so a normal car's object stays GitLab's field for field.
    /// </summary>
    [JsonPropertyName("priority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Priority { get; init; }

    /// <summary>
    /// A MergeTrain extension named after GitLab's GraphQL <c>MergeTrainCar.index</c> (its REST car
    /// has no such field): the car's place on its train counted from 0, so the note's "position N"
    /// is <c>index</c> + 1. Present while the car is on the train (a merging car included, since it
    /// is still in front until its fast-forward lands); absent on finished cars, whose objects stay GitLab's.
    /// </summary>
    [JsonPropertyName("index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Index { get; init; }

    /// <summary>The engine's car a stored car row holds.</summary>
    public static Car CarOf(CarView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return JsonSerializer.Deserialize<Car>(view.Car) ?? throw new JsonException("car row without a car");
    }

    /// <summary>The API object of a stored car.</summary>
    public static CarJson From(CarView view)
    {
        var car = CarOf(view);
        var end = view.FinishedAt;
        return new CarJson(
            view.Id,
            new MergeRequestJson(
                view.MergeRequestId ?? 0, view.Iid, view.ProjectId, car.Title, view.Description,
                view.MergeRequestState ?? (car.Status == CarStatus.Merged ? "merged" : "opened"),
                view.MergeRequestCreatedAt ?? car.AddedAt, view.MergeRequestUpdatedAt ?? car.UpdatedAt, view.WebUrl),
            new UserJson(view.UserId ?? 0, car.AddedBy, view.UserName ?? car.AddedBy, view.UserState ?? "active", view.UserAvatarUrl, view.UserWebUrl),
            car.Pipeline is { } pipeline
                ? new PipelineJson(pipeline.Id, pipeline.Sha, pipeline.Ref, pipeline.Status.ToGitLabName(), pipeline.CreatedAt, pipeline.UpdatedAt, pipeline.WebUrl)
                : null,
            view.AddedAt,
            view.UpdatedAt,
            view.TargetBranch,
            view.Status,
            car.Status is CarStatus.Merged or CarStatus.SkipMerged ? end : null,
            end is { } finished ? (int)(finished - view.AddedAt).TotalSeconds : null)
        {
            Priority = car.Priority == CarPriority.Normal ? null : car.Priority.ToName(),
            Index = end is null && view.Position is { } position ? position - 1 : null,
        };
    }
}

/// <summary>The car's merge request.</summary>
public sealed record MergeRequestJson(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("iid")] int Iid,
    [property: JsonPropertyName("project_id")] long ProjectId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("web_url")] string? WebUrl);

/// <summary>Who added the car.</summary>
public sealed record UserJson(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("avatar_url")] string? AvatarUrl,
    [property: JsonPropertyName("web_url")] string? WebUrl);

/// <summary>The car's current (or last) pipeline.</summary>
public sealed record PipelineJson(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("sha")] string Sha,
    [property: JsonPropertyName("ref")] string Ref,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("web_url")] string? WebUrl);
