using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>Why a car left the train without being merged (SPEC section 2).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DropReason>))]
public enum DropReason
{
    /// <summary>Its pipeline failed, or was cancelled by someone other than the service.</summary>
    [JsonStringEnumMemberName("pipeline_failed")]
    PipelineFailed,

    /// <summary>It could not be merged cleanly onto the car ahead (or the target).</summary>
    [JsonStringEnumMemberName("merge_conflict")]
    MergeConflict,

    /// <summary>New commits were pushed to the MR.</summary>
    [JsonStringEnumMemberName("source_updated")]
    SourceUpdated,

    /// <summary>The MR was closed.</summary>
    [JsonStringEnumMemberName("closed")]
    Closed,

    /// <summary>The MR was marked draft.</summary>
    [JsonStringEnumMemberName("draft")]
    Draft,

    /// <summary>Someone removed it from the train.</summary>
    [JsonStringEnumMemberName("removed_by_user")]
    RemovedByUser,

    /// <summary>Its pipeline ran longer than the pipeline timeout.</summary>
    [JsonStringEnumMemberName("pipeline_timeout")]
    PipelineTimeout,

    /// <summary>The target branch disappeared.</summary>
    [JsonStringEnumMemberName("target_missing")]
    TargetMissing,

    /// <summary>An unexpected error while building or running it.</summary>
    [JsonStringEnumMemberName("error")]
    Error,

    /// <summary>A GitLab merge check it passed when it joined now fails (its approval was revoked, ...).</summary>
    [JsonStringEnumMemberName("not_mergeable")]
    NotMergeable,
}
