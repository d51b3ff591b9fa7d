using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Records, inside the server, every answer of 500 or more and every exception that escapes the
/// whole pipeline, outside all of the service's own middleware. It sees the 5xx a client cannot
/// (the connection closed before the client read the answer).
/// </summary>
internal sealed class ServerErrorRecorder : IStartupFilter
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Forgets what was recorded so far: <c>/readyz</c> answers 503 while the service starts, as it should.</summary>
    public void Clear() => _errors.Clear();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, inner) =>
        {
            try
            {
                await inner(context);
            }
            catch (Exception error)
            {
                _errors.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}: escaped {error.GetType().Name}: {error.Message}");
                throw;
            }

            if (context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                _errors.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}: {context.Response.StatusCode}");
            }
        });
        next(app);
    };
}
