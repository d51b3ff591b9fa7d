using System.Globalization;
using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>
/// Webhook deliveries, newest first: accepted, pending, failed, duplicate or rejected, with the
/// reason; paged, filtered by status. An admin can retry a failed one once its cause is fixed.
/// </summary>
internal sealed class WebhooksPage : MergeTrainPage
{
    protected override string Title => "Webhook deliveries";

    private string? Status => QueryValue("status") is { } status && DeliveryStatus.All.Contains(status) ? status : null;

    protected override void WriteStatic()
    {
        var current = Status;
        WriteLiteral("<ul class=\"nav nav-pills mt-filter\">");
        foreach (var status in new string?[] { null }.Concat(DeliveryStatus.All))
        {
            WriteLiteral(status == current ? "<li class=\"active\">" : "<li>");
            Output.Link(Url.To(MergeTrainPages.Webhooks + (status is null ? "" : $"?status={status}")), status ?? "all");
            WriteLiteral("</li>");
        }

        WriteLiteral("</ul>");
    }

    protected override void WriteLive()
    {
        var status = Status;
        var (from, count) = FilteredPager.Requested(Query("from"), Query("count"));
        var page = Read(connection => DashboardQueries.Deliveries(connection, status, from, count));
        if (page.Items.Count == 0)
        {
            WriteLiteral("<div class=\"alert alert-info\">No webhook delivery yet. GitLab's webhook posts to <code>/webhooks/gitlab</code>.</div>");
            return;
        }

        var now = Now;
        WriteLiteral("<div class=\"table-responsive\"><table class=\"table table-hover mt-deliveries\"><thead><tr><th>Id</th><th>Received</th><th>Project</th><th>Event</th><th>Event UUID</th><th>Status</th><th>Reason, or what came of it</th><th>Processed</th></tr></thead><tbody>");
        foreach (var delivery in page.Items)
        {
            WriteLiteral("<tr><td>");
            Write(delivery.Id);
            WriteLiteral("</td><td>");
            Output.Time(delivery.ReceivedAt, now);
            WriteLiteral("</td><td>");
            Write(delivery.ProjectId?.ToString(CultureInfo.InvariantCulture) ?? "–");
            WriteLiteral("</td><td>");
            Write(delivery.EventKind ?? "–");
            WriteLiteral("</td><td><code>");
            Write(delivery.EventUuid);
            WriteLiteral("</code></td><td>");
            Output.StatusLabel(delivery.Status);
            WriteLiteral("</td><td>");
            Write(delivery.Detail);
            if (delivery.Status == DeliveryStatus.Failed && !IsReadOnly)
            {
                WriteLiteral(" ");
                Button(WebhookCommands.RetryPath(delivery.Id), "Retry", "btn-default", $"Process delivery {delivery.Id} again?");
            }

            WriteLiteral("</td><td>");
            if (delivery.ProcessedAt is { } processed)
            {
                Output.Time(processed, now);
            }

            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table></div>");
        Write(Html.Paginator(new FilteredPager(from, count, page.Total, Url.To(MergeTrainPages.Webhooks), [new("status", status)])));
    }
}
