using MediatR;
using MergeTrain.Server.Api;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Database;
using MergeTrain.Server.Trains.Commands;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// <c>/dashboard</c> (SPEC section 8): server-rendered pages, a login form that sets a cookie,
/// admin-only actions as POST forms, and a server-sent event stream that tells pages to refresh.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly TimeSpan StreamTick = TimeSpan.FromSeconds(1);

    /// <summary>Maps the dashboard, its actions, its stream, and <c>/hangfire</c> as a redirect to it.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var dashboard = endpoints.MapGroup("/dashboard").AllowAnonymous().ExcludeFromDescription();
        dashboard.MapGet("/login", (string? error) => Results.Content(LoginPage(error), "text/html; charset=utf-8"));
        dashboard.MapPost("/login", LoginAsync).DisableAntiforgery();
        dashboard.MapPost("/logout", (HttpResponse response) =>
        {
            response.Cookies.Delete(ApiTokenAuthentication.CookieName);
            return Results.Redirect("/dashboard/login");
        }).DisableAntiforgery();

        dashboard.MapGet("", (HttpContext context, DashboardPages pages, CancellationToken ct) =>
            PageAsync(context, "Trains", "/dashboard", admin => pages.TrainsAsync(admin, ct)));
        dashboard.MapGet("/cars/{projectId:long}/{iid:int}", (long projectId, int iid, HttpContext context, DashboardPages pages, CancellationToken ct) =>
            PageAsync(context, $"!{iid}", "/dashboard", _ => pages.CarHistoryAsync(projectId, iid, ct)));
        dashboard.MapGet("/webhooks", (HttpContext context, DashboardPages pages, CancellationToken ct) =>
            PageAsync(context, "Webhooks", "/dashboard/webhooks", _ => pages.WebhooksAsync(ct)));
        dashboard.MapGet("/audit", (HttpContext context, DashboardPages pages, CancellationToken ct) =>
            PageAsync(context, "Audit log", "/dashboard/audit", _ => pages.AuditAsync(ct)));
        dashboard.MapGet("/charts", (HttpContext context, DashboardPages pages, CancellationToken ct) =>
            PageAsync(context, "Charts", "/dashboard/charts", _ => pages.ChartsAsync(ct)));
        dashboard.MapGet("/stream", StreamAsync);

        // Actions: POST forms, admin only; the cookie is SameSite=Strict, so other sites cannot post them.
        dashboard.MapPost("/trains/{projectId:long}/{targetBranch}/{operation:regex(^(pause|resume)$)}",
            (long projectId, string targetBranch, string operation, HttpContext context, IMediator mediator, CancellationToken ct) =>
                ActAsync(context, "/dashboard", user => mediator.Send(new OperateTrain(projectId.ToString(System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(targetBranch),
                    operation == "pause" ? TrainOperation.Pause : TrainOperation.Resume, null, user), ct))).DisableAntiforgery();
        dashboard.MapPost("/trains/{projectId:long}/{targetBranch}/cars/{iid:int}/remove",
            (long projectId, int iid, HttpContext context, IMediator mediator, CancellationToken ct) =>
                ActAsync(context, "/dashboard", user => mediator.Send(new RemoveFromTrain(projectId.ToString(System.Globalization.CultureInfo.InvariantCulture), iid, user), ct))).DisableAntiforgery();
        dashboard.MapPost("/trains/{projectId:long}/{targetBranch}/cars/{iid:int}/merge-immediately",
            (long projectId, string targetBranch, int iid, HttpContext context, IMediator mediator, CancellationToken ct) =>
                ActAsync(context, "/dashboard", user => mediator.Send(new OperateTrain(projectId.ToString(System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(targetBranch),
                    TrainOperation.MergeImmediately, iid, user), ct))).DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> PageAsync(HttpContext context, string title, string activePath, Func<bool, Task<string>> render)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Results.Redirect("/dashboard/login");
        }

        if (context.RequestServices.GetRequiredService<DatabaseReadiness>().DataSource is null)
        {
            return Results.Content(DashboardLayout.Page(title, "<p>The database is starting; this page will load once <a href=\"/readyz\">/readyz</a> says ready.</p>", activePath, context.User.Identity.Name, false), "text/html; charset=utf-8", statusCode: 503);
        }

        var admin = context.User.IsInRole(ApiRoles.Admin);
        var content = await render(admin);

        // The live-update script asks for the content alone.
        return context.Request.Headers.ContainsKey("X-Dashboard-Partial")
            ? Results.Content(content, "text/html; charset=utf-8")
            : Results.Content(DashboardLayout.Page(title, content, activePath, context.User.Identity.Name, admin), "text/html; charset=utf-8");
    }

    private static async Task<IResult> ActAsync(HttpContext context, string back, Func<string, Task<TrainCommandResult>> act)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Results.Redirect("/dashboard/login");
        }

        if (!context.User.IsInRole(ApiRoles.Admin))
        {
            return Results.Content(DashboardLayout.Page("Forbidden", "<p>This action needs an admin token.</p>", back, context.User.Identity.Name, false), "text/html; charset=utf-8", statusCode: 403);
        }

        var result = await act(context.User.Identity.Name ?? "dashboard");
        if (result.Message is { } message)
        {
            return Results.Content(DashboardLayout.Page("Refused", $"<p>{Html.E(message)}</p><p><a href=\"{back}\">Back</a></p>", back, context.User.Identity.Name, true), "text/html; charset=utf-8", statusCode: result.StatusCode);
        }

        return Results.Redirect(back);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IOptions<MergeTrainOptions> options)
    {
        var form = await context.Request.ReadFormAsync();
        var token = form["token"].FirstOrDefault() ?? "";
        if (ApiTokenAuthentication.Match(options.Value, token) is null)
        {
            return Results.Redirect("/dashboard/login?error=1");
        }

        context.Response.Cookies.Append(ApiTokenAuthentication.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromDays(7),
        });
        return Results.Redirect("/dashboard");
    }

    private static async Task StreamAsync(HttpContext context, DatabaseReadiness readiness, CancellationToken cancellationToken)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        string? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var stamp = readiness.DataSource is { } dataSource ? await StampAsync(dataSource, cancellationToken) : "starting";
            if (stamp != last)
            {
                if (last is not null)
                {
                    await context.Response.WriteAsync("data: changed\n\n", cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                }

                last = stamp;
            }

            await Task.Delay(StreamTick, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // Anything a page shows moves one of these.
    private static async Task<string> StampAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws(':', (SELECT max(version) + count(*) FROM trains), (SELECT max(id) FROM audit_events),
                (SELECT max(id) FROM jobs), (SELECT count(*) FROM jobs WHERE state = 'running'),
                (SELECT max(id) FROM webhook_deliveries), (SELECT max(heartbeat_at) FROM servers))
            """, connection);
        return (string?)await command.ExecuteScalarAsync(cancellationToken) ?? "";
    }

    private static string LoginPage(string? error) => DashboardLayout.Page("Log in", $"""
        <h1>Log in</h1>
        <p>Paste an API token (<code>MergeTrain:ApiTokens</code>); admin tokens may also act on trains and jobs.</p>
        {(error is null ? "" : "<p role=\"alert\">That token is not valid.</p>")}
        <form method="post" action="/dashboard/login">
        <label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
        <button type="submit">Log in</button></form>
        """, "/dashboard/login", null, false);
}
