using MergeTrain.Application.Mediation;
using MergeTrain.Application.Trains.Commands;
using MergeTrain.GitLab.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace MergeTrain.Server.Api;

/// <summary>
/// Maps exceptions to GitLab-style answers in one place: invalid input (a command's, a body's, a form's) 400, database not ready or
/// unreachable 503, GitLab failing 502; anything else 500 without internals. The cause is looked
/// for along the inner exceptions: "database not ready" raised while the container builds a
/// service reaches us wrapped.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc/>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var (status, message) = Causes(exception).Select(Answer).FirstOrDefault(a => a is not null)
            ?? (StatusCodes.Status500InternalServerError, "500 Internal Server Error");
        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        await httpContext.Response.WriteAsJsonAsync(new ApiMessage(message), cancellationToken);
        return true;
    }

    private static (int Status, string Message)? Answer(Exception exception) => exception switch
    {
        RequestValidationException invalid => (StatusCodes.Status400BadRequest, $"400 Bad request - {invalid.Message}"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge => (StatusCodes.Status413PayloadTooLarge, tooLarge.Message),
        BadHttpRequestException bad => (StatusCodes.Status400BadRequest, $"400 Bad request - {bad.Message}"),
        // Thrown, rather than answered false, when the posted form cannot even be read (broken multipart, too many fields).
        AntiforgeryValidationException unreadable => (StatusCodes.Status400BadRequest, $"400 Bad request - {unreadable.Message} Load the page again."),
        DatabaseNotReadyException notReady => (StatusCodes.Status503ServiceUnavailable, notReady.Message),
        NpgsqlException { IsTransient: true } => (StatusCodes.Status503ServiceUnavailable, "The database is unreachable; try again shortly (see /readyz)."),
        GitLabApiException gitLab => (StatusCodes.Status502BadGateway, $"GitLab answered {gitLab.StatusCode}: {gitLab.Message}"),
        _ => null,
    };

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Causes))
                {
                    yield return inner;
                }
            }
        }
    }
}
