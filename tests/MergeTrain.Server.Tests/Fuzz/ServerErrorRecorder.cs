using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Records, inside the server and outside all of the service's own middleware, every answer of
/// 500 or more, every exception that escapes the whole pipeline, and the status of every request
/// carrying <see cref="RequestHeader"/>. It sees the answers a client cannot: when the server
/// answers before reading a body and closes the connection, the client gets a broken pipe.
/// </summary>
internal sealed class ServerErrorRecorder : IStartupFilter
{
    /// <summary>The header that numbers a fuzz request.</summary>
    public const string RequestHeader = "X-Fuzz-Request";

    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();

    /// <summary>The status the server answered fuzz request <paramref name="index"/> with, or null if it never reached the pipeline.</summary>
    public int? StatusOf(int index) => _statuses.TryGetValue(index, out var status) ? status : null;

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

            if (int.TryParse(context.Request.Headers[RequestHeader].ToString(), out var index))
            {
                _statuses[index] = context.Response.StatusCode;
            }

            if (context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                _errors.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}: {context.Response.StatusCode}");
            }
        });
        next(app);
    };
}
