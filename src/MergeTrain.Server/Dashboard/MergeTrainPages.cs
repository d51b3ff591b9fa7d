using Hangfire.Dashboard;
using MergeTrain.Application.Configuration;
using MergeTrain.Server.Dashboard.Pages;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// MergeTrain's pages in Hangfire's dashboard: their routes, their entries in Hangfire's
/// navigation (Trains first, then Hangfire's own, then ours), the train actions, and our
/// stylesheet and script in Hangfire's bundles.
/// </summary>
internal static class MergeTrainPages
{
    public const string Trains = "/trains";
    public const string Webhooks = "/webhooks";
    public const string Audit = "/audit";
    public const string Charts = "/charts";
    public const string FlakyJobs = "/flaky-jobs";

    private const string CarHistoryPrefix = "/cars";
    private const string ResourcePrefix = "MergeTrain.Server.Dashboard.Content.";

    // Hangfire's routes, menu and bundles are process-wide; a second host in one process (tests) must not add them twice.
    private static int _registered;

    /// <summary>The page of one merge request's history.</summary>
    public static string CarHistory(long projectId, int iid) => $"{CarHistoryPrefix}/{projectId}/{iid}";

    /// <summary>Adds the pages, their navigation, the actions and the assets; once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0)
        {
            return;
        }

        var routes = DashboardRoutes.Routes;
        routes.AddRazorPage(Trains, _ => new TrainsPage());
        // At most 18 and 9 digits: any such number fits a long and an int, and a longer one names no MR (404, not an overflow).
        routes.AddRazorPage(CarHistoryPrefix + "/(?<project>[0-9]{1,18})/(?<iid>[0-9]{1,9})", match =>
            new CarHistoryPage(long.Parse(match.Groups["project"].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups["iid"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        routes.AddRazorPage(Webhooks, _ => new WebhooksPage());
        routes.AddRazorPage(Audit, _ => new AuditPage());
        routes.AddRazorPage(Charts, _ => new ChartsPage());
        routes.AddRazorPage(FlakyJobs, _ => new FlakyJobsPage());
        TrainCommands.Register(routes);
        WebhookCommands.Register(routes);

        NavigationMenu.Items.Insert(0, page => Item(page, "Trains", Trains, CarHistoryPrefix));
        NavigationMenu.Items.Add(page => Item(page, "Webhooks", Webhooks));
        NavigationMenu.Items.Add(page => Item(page, "Audit log", Audit));
        NavigationMenu.Items.Add(page => Item(page, "Charts", Charts));
        NavigationMenu.Items.Add(page => Item(page, "Flaky jobs", FlakyJobs));
        NavigationMenu.Items.Add(UserItem);

        var assembly = typeof(MergeTrainPages).Assembly;
        DashboardRoutes.AddStylesheet(assembly, ResourcePrefix + "mergetrain.css");
        DashboardRoutes.AddJavaScript(assembly, ResourcePrefix + "mergetrain.js");
    }

    private static MenuItem Item(RazorPage page, string text, string path, string? alsoActiveUnder = null) =>
        new(text, page.Url.To(path))
        {
            Active = page.RequestPath.StartsWith(path, StringComparison.OrdinalIgnoreCase)
                || (alsoActiveUnder is not null && page.RequestPath.StartsWith(alsoActiveUnder, StringComparison.OrdinalIgnoreCase)),
        };

    // Who is logged in, linking to the login page, which offers to log out.
    private static MenuItem? UserItem(RazorPage page)
    {
        var user = page.Context.GetHttpContext().User;
        return user.Identity?.Name is { } name
            ? new MenuItem($"{name} ({(user.IsInRole(ApiRoles.Admin) ? ApiRoles.Admin : "viewer")})", DashboardLogin.Path)
            : null;
    }
}
