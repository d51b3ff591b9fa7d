using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A GitLab commit status state (<c>POST /projects/:id/statuses/:sha</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommitState>))]
public enum CommitState
{
    /// <summary>Not tested yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Its merged-results or car pipeline runs.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>That pipeline passed (for a car: the MR was merged at the commit it tested).</summary>
    [JsonStringEnumMemberName("success")]
    Success,

    /// <summary>That pipeline failed, or the car was dropped.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>That pipeline was cancelled.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,
}
