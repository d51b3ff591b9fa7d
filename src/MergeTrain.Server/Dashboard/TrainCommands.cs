using System.Globalization;
using System.Text.RegularExpressions;
using Hangfire.Dashboard;
using MediatR;
using MergeTrain.Server.Trains.Commands;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// The Trains page's actions inside Hangfire's dashboard: pause, resume, remove a car, merge a car
/// immediately. They arrive as Hangfire's own actions do (a POST from a <c>data-ajax</c> button,
/// with the antiforgery header Hangfire's middleware checks before they get here), are refused
/// unless the dashboard is writable for the user (<c>IsReadOnlyFunc</c>: admins only), and are
/// carried out by the API's MediatR commands.
/// </summary>
internal static class TrainCommands
{
    private const string Train = "/trains/(?<project>[0-9]+)";
    private const string Car = Train + "/cars/(?<iid>[0-9]+)";

    /// <summary>Adds the actions to Hangfire's routes.</summary>
    public static void Register(Hangfire.Dashboard.RouteCollection routes)
    {
        routes.Add(Train + "/pause", new Dispatcher((match, branch, actor) =>
            branch is null ? null : new OperateTrain(Project(match), branch, TrainOperation.Pause, null, actor)));
        routes.Add(Train + "/resume", new Dispatcher((match, branch, actor) =>
            branch is null ? null : new OperateTrain(Project(match), branch, TrainOperation.Resume, null, actor)));
        routes.Add(Car + "/remove", new Dispatcher((match, _, actor) =>
            Iid(match) is { } iid ? new RemoveFromTrain(Project(match), iid, actor) : null));
        routes.Add(Car + "/merge-immediately", new Dispatcher((match, branch, actor) =>
            branch is not null && Iid(match) is { } iid ? new OperateTrain(Project(match), branch, TrainOperation.MergeImmediately, iid, actor) : null));
    }

    /// <summary>Where the pause action of a train is, under the dashboard.</summary>
    public static string PausePath(long projectId, string branch) => $"/trains/{projectId}/pause?branch={Uri.EscapeDataString(branch)}";

    /// <summary>Where the resume action of a train is.</summary>
    public static string ResumePath(long projectId, string branch) => $"/trains/{projectId}/resume?branch={Uri.EscapeDataString(branch)}";

    /// <summary>Where the action removing a car is.</summary>
    public static string RemovePath(long projectId, int iid) => $"/trains/{projectId}/cars/{iid}/remove";

    /// <summary>Where the action merging a car immediately is.</summary>
    public static string MergeImmediatelyPath(long projectId, string branch, int iid) =>
        $"/trains/{projectId}/cars/{iid}/merge-immediately?branch={Uri.EscapeDataString(branch)}";

    private static string Project(Match match) => match.Groups["project"].Value;

    private static int? Iid(Match match) =>
        int.TryParse(match.Groups["iid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var iid) && iid > 0 ? iid : null;

    /// <summary>One action: builds its command from the route and the query, sends it, answers as Hangfire's commands do.</summary>
    private sealed class Dispatcher(Func<Match, string?, string, IRequest<TrainCommandResult>?> command) : IDashboardDispatcher
    {
        public async Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }

            // Refused here, whatever the page showed: a viewer's dashboard is read-only.
            if (context.IsReadOnly)
            {
                await RefuseAsync(http, StatusCodes.Status403Forbidden, "This action needs an admin token.");
                return;
            }

            var branch = http.Request.Query["branch"].FirstOrDefault();
            var actor = http.User.Identity?.Name ?? "dashboard";
            if (command(context.UriMatch, string.IsNullOrEmpty(branch) ? null : branch, actor) is not { } request)
            {
                await RefuseAsync(http, StatusCodes.Status400BadRequest, "The action names no train or car.");
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
}
