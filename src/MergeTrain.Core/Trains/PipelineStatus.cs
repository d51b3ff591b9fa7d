using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>A GitLab pipeline status, with GitLab's names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PipelineStatus>))]
public enum PipelineStatus
{
    /// <summary>Made, no job started yet: unfinished, the car waits.</summary>
    [JsonStringEnumMemberName("created")]
    Created,

    /// <summary>Waiting for a resource group.</summary>
    [JsonStringEnumMemberName("waiting_for_resource")]
    WaitingForResource,

    /// <summary>Its runners are being prepared: unfinished.</summary>
    [JsonStringEnumMemberName("preparing")]
    Preparing,

    /// <summary>Waiting for a runner: unfinished, and the time counts toward the pipeline timeout.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Jobs are running: unfinished.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Every job passed: the one status that lets a car be merged.</summary>
    [JsonStringEnumMemberName("success")]
    Success,

    /// <summary>A job failed: retried where retries are configured, else the car is dropped.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Being cancelled (GitLab 16.x+): still unfinished, so polled until it ends.</summary>
    [JsonStringEnumMemberName("canceling")]
    Canceling,

    /// <summary>Cancelled, by the train or by someone in GitLab: finished, and not a pass.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,

    /// <summary>Every job was skipped: finished, not a pass (replaced by a new pipeline where retries allow).</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>Blocked on a manual job.</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,

    /// <summary>Waiting for a delayed job: unfinished.</summary>
    [JsonStringEnumMemberName("scheduled")]
    Scheduled,
}
