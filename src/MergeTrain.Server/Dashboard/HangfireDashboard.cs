using Hangfire;
using Hangfire.Dashboard;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Database;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Hangfire's dashboard at <c>/hangfire</c>, titled MergeTrain: any API token may look (the
/// request's authenticated user, from a token header or the login cookie), only an admin may act.
/// </summary>
public static class HangfireDashboard
{
    /// <summary>Where the dashboard is served.</summary>
    public const string Path = "/hangfire";

    /// <summary>Mounts the dashboard; call after authentication so that the user is known.</summary>
    public static IApplicationBuilder UseMergeTrainHangfireDashboard(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Hangfire's pages read its storage, which exists only once the database is ready.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            if (context.RequestServices.GetRequiredService<DatabaseReadiness>().DataSource is null)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("The database is starting; see /readyz.");
                return;
            }

            await next(context);
        }));
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "MergeTrain",
            AppPath = null,
            AsyncAuthorization = [new TokenAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(ApiRoles.Admin),
        });
        return app;
    }

    private sealed class TokenAuthorization : IDashboardAsyncAuthorizationFilter
    {
        public Task<bool> AuthorizeAsync(DashboardContext context) =>
            Task.FromResult(context.GetHttpContext().User.Identity?.IsAuthenticated == true);
    }
}
