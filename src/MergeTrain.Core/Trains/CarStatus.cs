using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A car's status, with GitLab's names (SPEC section 2).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CarStatus>))]
public enum CarStatus
{
    /// <summary>Waiting; no pipeline yet.</summary>
    [JsonStringEnumMemberName("idle")]
    Idle,

    /// <summary>A pipeline runs (or passed) on an up-to-date car commit.</summary>
    [JsonStringEnumMemberName("fresh")]
    Fresh,

    /// <summary>Its base changed; it is being rebuilt.</summary>
    [JsonStringEnumMemberName("stale")]
    Stale,

    /// <summary>The target branch is being moved to include it.</summary>
    [JsonStringEnumMemberName("merging")]
    Merging,

    /// <summary>Merged by the train.</summary>
    [JsonStringEnumMemberName("merged")]
    Merged,

    /// <summary>Merged outside the train.</summary>
    [JsonStringEnumMemberName("skip_merged")]
    SkipMerged,

    /// <summary>Dropped from the train; see its <see cref="DropReason"/>.</summary>
    [JsonStringEnumMemberName("dropped")]
    Dropped,
}
