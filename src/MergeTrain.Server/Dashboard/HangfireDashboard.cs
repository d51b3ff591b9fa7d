using Hangfire;
using Hangfire.Dashboard;
using MergeTrain.Application.Configuration;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// The operator dashboard (SPEC section 8): Hangfire's dashboard at <c>/hangfire</c>, titled
/// MergeTrain, with MergeTrain's pages in its navigation (<see cref="MergeTrainPages"/>). Any API
/// token may look (the request's user, from a token header or the login session); only an admin
/// may act: for everyone else the dashboard is read-only, which Hangfire's actions and ours refuse.
/// </summary>
public static class HangfireDashboard
{
    /// <summary>Where the dashboard is served.</summary>
    public const string Path = "/hangfire";

    /// <summary>Whether <paramref name="path"/> is the dashboard's or its login form's, where browsers come with a session cookie.</summary>
    internal static bool IsDashboardAddress(PathString path) =>
        path.StartsWithSegments(Path) || path.StartsWithSegments(DashboardLogin.Path) || path.StartsWithSegments(DashboardLogin.LogoutPath);

    /// <summary>Mounts the dashboard; call after authentication so that the user is known.</summary>
    public static IApplicationBuilder UseMergeTrainHangfireDashboard(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        MergeTrainPages.Register();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(DashboardGate.PassAsync));
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "MergeTrain",
            AppPath = null,
            AsyncAuthorization = [new TokenAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(ApiRoles.Admin),
        });
        return app;
    }

    // The gate answered anonymous requests already; this keeps Hangfire closed should it ever be mounted without it.
    private sealed class TokenAuthorization : IDashboardAsyncAuthorizationFilter
    {
        public Task<bool> AuthorizeAsync(DashboardContext context) =>
            Task.FromResult(context.GetHttpContext().User.Identity?.IsAuthenticated == true);
    }
}
