using System.Globalization;
using MergeTrain.Application.Database;
using Microsoft.AspNetCore.Authentication;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// What answers a request to the dashboard before Hangfire does: 503 until the database is ready
/// (Hangfire's pages read its storage); without a valid token, a browser is sent to the login
/// form and a script gets the API's 401; a job id that is not a number is a 404.
/// </summary>
internal static class DashboardGate
{
    /// <summary>Lets the request on to Hangfire, or answers it.</summary>
    public static async Task PassAsync(HttpContext context, RequestDelegate next)
    {
        if (context.RequestServices.GetRequiredService<DatabaseReadiness>().DataSource is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("The database is starting; see /readyz.");
            return;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            if (IsBrowserNavigation(context.Request))
            {
                context.Response.Redirect(DashboardLogin.PathReturningTo(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
                return;
            }

            await context.ChallengeAsync();
            return;
        }

        if (NamesNoStoredJob(context.Request.Path))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("No such job: job ids are numbers.");
            return;
        }

        await next(context);
    }

    // Hangfire.PostgreSql parses the job id of these routes as a long and throws on anything else
    // (a 500); an id that is not one names no job.
    private static bool NamesNoStoredJob(PathString path)
    {
        var value = path.Value ?? "";
        foreach (var prefix in JobRoutes)
        {
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return !long.TryParse(value.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _);
            }
        }

        return false;
    }

    private static readonly string[] JobRoutes =
        [HangfireDashboard.Path + "/jobs/details/", HangfireDashboard.Path + "/jobs/actions/requeue/", HangfireDashboard.Path + "/jobs/actions/delete/"];

    // A browser opening a page asks for HTML; scripts, and the pages' own background requests, do not.
    private static bool IsBrowserNavigation(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.GetTypedHeaders().Accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
}
