using MergeTrain.GitLab.Api;
using MergeTrain.Server.Mediation;
using Microsoft.AspNetCore.Diagnostics;

namespace MergeTrain.Server.Api;

/// <summary>
/// Maps exceptions to GitLab-style answers in one place: invalid input 400, database not ready
/// 503, GitLab failing 502; anything else 500 without internals.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc/>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, message) = exception switch
        {
            RequestValidationException invalid => (StatusCodes.Status400BadRequest, $"400 Bad request - {invalid.Message}"),
            BadHttpRequestException bad => (StatusCodes.Status400BadRequest, $"400 Bad request - {bad.Message}"),
            DatabaseNotReadyException notReady => (StatusCodes.Status503ServiceUnavailable, notReady.Message),
            GitLabApiException gitLab => (StatusCodes.Status502BadGateway, $"GitLab answered {gitLab.StatusCode}: {gitLab.Message}"),
            _ => (StatusCodes.Status500InternalServerError, "500 Internal Server Error"),
        };
        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        await httpContext.Response.WriteAsJsonAsync(new ApiMessage(message), cancellationToken);
        return true;
    }
}
