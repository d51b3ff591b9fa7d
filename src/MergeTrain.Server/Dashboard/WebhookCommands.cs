using System.Globalization;
using MergeTrain.Application.Webhooks;

namespace MergeTrain.Server.Dashboard;

/// <summary>The Webhooks page's action: retry a delivery that failed, once an admin fixed its cause.</summary>
internal static class WebhookCommands
{
    /// <summary>Adds the action to Hangfire's routes.</summary>
    public static void Register(Hangfire.Dashboard.RouteCollection routes) =>
        routes.Add("/webhooks/(?<id>[0-9]+)/retry", new DashboardCommand((match, _, actor) =>
            long.TryParse(match.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? new RetryWebhookDelivery(id, actor) : null));

    /// <summary>Where the action retrying delivery <paramref name="id"/> is, under the dashboard.</summary>
    public static string RetryPath(long id) => $"/webhooks/{id.ToString(CultureInfo.InvariantCulture)}/retry";
}
