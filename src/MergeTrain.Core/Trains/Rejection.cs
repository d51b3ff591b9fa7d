using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>How a rejected request maps onto GitLab's answers.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RejectionKind>))]
public enum RejectionKind
{
    /// <summary>400: the request cannot be honoured as it stands.</summary>
    BadRequest,

    /// <summary>404: the MR is not on the train.</summary>
    NotFound,

    /// <summary>403: the project's settings do not allow it.</summary>
    Forbidden,

    /// <summary>409: the request conflicts with the current state (pinned sha mismatch, already on the train).</summary>
    Conflict,
}

/// <summary>Why an operator or user request was refused; the state is unchanged.</summary>
/// <param name="Kind">The kind of refusal.</param>
/// <param name="Message">The message GitLab-style clients show.</param>
public sealed record Rejection(RejectionKind Kind, string Message);
