using System.Net;
using MergeTrain.Core.Trains;

namespace MergeTrain.Application.Trains.Commands;

/// <summary>How a train command ended: an HTTP status and either the body to answer with or GitLab's error message.</summary>
public sealed record TrainCommandResult(int StatusCode, object? Value, string? Message)
{
    /// <summary>Success with <paramref name="value"/> as the body.</summary>
    public static TrainCommandResult Ok(int statusCode, object value) => new(statusCode, value, null);

    /// <summary>Failure with GitLab's kind of message.</summary>
    public static TrainCommandResult Error(int statusCode, string message) => new(statusCode, null, message);

    /// <summary>The project named in the request is not configured (GitLab's wording).</summary>
    public static TrainCommandResult ProjectNotFound { get; } = Error((int)HttpStatusCode.NotFound, "404 Project Not Found");

    /// <summary>The request names a train, or an MR on one, that does not exist (GitLab's wording).</summary>
    public static TrainCommandResult TrainNotFound { get; } = Error((int)HttpStatusCode.NotFound, "404 Merge Train Not Found");

    /// <summary>The engine refused the request.</summary>
    public static TrainCommandResult Refused(Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var status = rejection.Kind switch
        {
            RejectionKind.NotFound => (int)HttpStatusCode.NotFound,
            RejectionKind.Conflict => (int)HttpStatusCode.Conflict,
            RejectionKind.Forbidden => (int)HttpStatusCode.Forbidden,
            _ => (int)HttpStatusCode.BadRequest,
        };
        return Error(status, rejection.Message);
    }
}
