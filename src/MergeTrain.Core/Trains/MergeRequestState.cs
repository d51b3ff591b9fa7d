using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A merge request's state, with GitLab's names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MergeRequestState>))]
public enum MergeRequestState
{
    /// <summary>Open: the only state in which an MR can join or stay on a train.</summary>
    [JsonStringEnumMemberName("opened")]
    Opened,

    /// <summary>Closed without merging.</summary>
    [JsonStringEnumMemberName("closed")]
    Closed,

    /// <summary>Locked (GitLab's transient state while merging).</summary>
    [JsonStringEnumMemberName("locked")]
    Locked,

    /// <summary>Merged, by the train or outside it (then its car is <c>skip_merged</c>).</summary>
    [JsonStringEnumMemberName("merged")]
    Merged,
}
