using System.Text.RegularExpressions;
using Hangfire.Dashboard;
using MediatR;
using MergeTrain.Application.Trains.Commands;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// One of the dashboard's actions (<see cref="TrainCommands"/>, <see cref="WebhookCommands"/>):
/// builds its MediatR command from the route, the <c>branch</c> query value and the user, sends
/// it, and answers as Hangfire's own commands do. Refused unless the dashboard is writable for
/// the user (admins only), whatever the page showed.
/// </summary>
internal sealed class DashboardCommand(Func<Match, string?, string, IRequest<TrainCommandResult>?> command) : IDashboardDispatcher
{
    /// <inheritdoc/>
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (context.IsReadOnly)
        {
            await RefuseAsync(http, StatusCodes.Status403Forbidden, "This action needs an admin token.");
            return;
        }

        var branch = http.Request.Query["branch"].FirstOrDefault();
        var actor = http.User.Identity?.Name ?? "dashboard";
        if (command(context.UriMatch, string.IsNullOrEmpty(branch) ? null : branch, actor) is not { } request)
        {
            await RefuseAsync(http, StatusCodes.Status400BadRequest, "The action names nothing it could act on.");
            return;
        }

        var result = await http.RequestServices.GetRequiredService<IMediator>().Send(request, http.RequestAborted);
        if (result.Message is { } message)
        {
            await RefuseAsync(http, result.StatusCode, message);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // The page's script shows the text to the operator.
    private static Task RefuseAsync(HttpContext http, int statusCode, string message)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message);
    }
}
