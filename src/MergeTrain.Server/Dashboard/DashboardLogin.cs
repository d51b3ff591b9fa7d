using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Application.Mediation;
using MergeTrain.Postgres.Sessions;
using MergeTrain.Server.Api;
using MergeTrain.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// How a browser logs in to the dashboard: a form that takes an API token and, when it is right,
/// opens a server-side session (<see cref="DashboardSessionStore"/>) whose signed id goes into the
/// session cookie; the token itself never leaves the form. Logging out deletes the session, so its
/// cookie stops working at once on every instance. The forms carry an antiforgery token, so another
/// site cannot log a browser in or out; attempts are rate-limited per client address.
/// </summary>
internal static class DashboardLogin
{
    /// <summary>Where the form is.</summary>
    public const string Path = "/login";

    /// <summary>Where the form that logs out posts to.</summary>
    public const string LogoutPath = "/logout";

    /// <summary>Maps the form, logging in and logging out.</summary>
    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        var login = endpoints.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        login.MapGet(Path, (HttpContext context, string? returnUrl) => Form(context, Local(returnUrl), failed: false));
        login.MapPost(Path, LoginAsync).RequireRateLimiting(LoginRateLimit.Policy);
        login.MapPost(LogoutPath, LogoutAsync);
        return endpoints;
    }

    /// <summary>The form's address, coming back to <paramref name="returnUrl"/> once logged in.</summary>
    public static string PathReturningTo(string returnUrl) => $"{Path}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    private static async Task<IResult> LoginAsync(
        HttpContext context, IAntiforgery antiforgery, IOptions<MergeTrainOptions> options, IOptions<DashboardSessionOptions> dashboard,
        DashboardSessionCookie cookie, DatabaseReadiness readiness, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DashboardLogin));
        var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The form expired; load the login page again.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = Local(form["returnUrl"].FirstOrDefault());
        var token = form["token"].FirstOrDefault() ?? "";
        if (ApiTokenAuthentication.Match(options.Value, token) is not { } match)
        {
            logger.LogInformation("Dashboard login refused from {Address}: unknown token", context.Connection.RemoteIpAddress);
            return Form(context, returnUrl, failed: true);
        }

        var id = DashboardSessionStore.NewId();
        var now = clock.GetUtcNow();
        var lifetime = dashboard.Value.SessionLifetime;
        await using (var connection = await dataSource.OpenConnectionAsync(context.RequestAborted))
        {
            // Logging in again, perhaps with another token, ends the session the browser had.
            if (cookie.Read(context.Request) is { } previous)
            {
                await DashboardSessionStore.DeleteAsync(connection, previous, context.RequestAborted);
            }

            await DashboardSessionStore.CreateAsync(connection, id, match.Name, match.Role, now, now + lifetime, context.RequestAborted);
        }

        cookie.Write(context, id, lifetime);
        logger.LogInformation("Dashboard session opened for {TokenName} from {Address}, lasting {Lifetime}", match.Name, context.Connection.RemoteIpAddress, lifetime);
        return Results.Redirect(returnUrl);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery, DashboardSessionCookie cookie, DatabaseReadiness readiness)
    {
        var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The form expired; load the login page again.");
        }

        if (cookie.Read(context.Request) is { } id)
        {
            await using var connection = await dataSource.OpenConnectionAsync(context.RequestAborted);
            await DashboardSessionStore.DeleteAsync(connection, id, context.RequestAborted);
        }

        DashboardSessionCookie.Delete(context);
        return Results.Redirect(Path);
    }

    private static IResult Form(HttpContext context, string returnUrl, bool failed)
    {
        // The antiforgery token is signed with the key ring in the database.
        _ = context.RequestServices.GetRequiredService<DatabaseReadiness>().DataSource ?? throw new DatabaseNotReadyException();
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
        var page = new LoginPage(returnUrl, failed, tokens.FormFieldName, tokens.RequestToken ?? "", user);
        return Results.Content(page.ToString(), "text/html; charset=utf-8", statusCode: failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
    }

    // Only back into the dashboard: a return address elsewhere would make the form an open redirect.
    private static string Local(string? returnUrl) =>
        returnUrl is not null && (returnUrl == HangfireDashboard.Path || returnUrl.StartsWith(HangfireDashboard.Path + "/", StringComparison.Ordinal))
            ? returnUrl
            : HangfireDashboard.Path;
}
