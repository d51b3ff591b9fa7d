using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A GitLab pipeline status, with GitLab's names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PipelineStatus>))]
public enum PipelineStatus
{
    /// <summary>Created.</summary>
    [JsonStringEnumMemberName("created")]
    Created,

    /// <summary>Waiting for a resource group.</summary>
    [JsonStringEnumMemberName("waiting_for_resource")]
    WaitingForResource,

    /// <summary>Preparing.</summary>
    [JsonStringEnumMemberName("preparing")]
    Preparing,

    /// <summary>Pending.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Running.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Succeeded.</summary>
    [JsonStringEnumMemberName("success")]
    Success,

    /// <summary>Failed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Being cancelled.</summary>
    [JsonStringEnumMemberName("canceling")]
    Canceling,

    /// <summary>Cancelled.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,

    /// <summary>Skipped.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>Blocked on a manual job.</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,

    /// <summary>Scheduled.</summary>
    [JsonStringEnumMemberName("scheduled")]
    Scheduled,
}
