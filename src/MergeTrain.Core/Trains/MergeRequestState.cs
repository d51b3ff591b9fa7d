using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A merge request's state, with GitLab's names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MergeRequestState>))]
public enum MergeRequestState
{
    /// <summary>Open.</summary>
    [JsonStringEnumMemberName("opened")]
    Opened,

    /// <summary>Closed without merging.</summary>
    [JsonStringEnumMemberName("closed")]
    Closed,

    /// <summary>Locked (GitLab's transient state while merging).</summary>
    [JsonStringEnumMemberName("locked")]
    Locked,

    /// <summary>Merged.</summary>
    [JsonStringEnumMemberName("merged")]
    Merged,
}
