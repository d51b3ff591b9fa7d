using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A GitLab commit status state (<c>POST /projects/:id/statuses/:sha</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommitState>))]
public enum CommitState
{
    /// <summary>Pending.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Running.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Success.</summary>
    [JsonStringEnumMemberName("success")]
    Success,

    /// <summary>Failed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Cancelled.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,
}
