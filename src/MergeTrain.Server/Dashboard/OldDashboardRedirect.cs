namespace MergeTrain.Server.Dashboard;

/// <summary>The dashboard used to live at <c>/dashboard</c>; its addresses lead to the same pages under <c>/hangfire</c>.</summary>
internal static class OldDashboardRedirect
{
    /// <summary>Maps <c>/dashboard</c> and everything under it.</summary>
    public static IEndpointRouteBuilder MapOldDashboardRedirect(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dashboard/{**rest}", (string? rest, HttpRequest request) =>
                Results.Redirect(HangfireDashboard.Path + (string.IsNullOrEmpty(rest) ? "" : "/" + rest) + request.QueryString))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }
}
