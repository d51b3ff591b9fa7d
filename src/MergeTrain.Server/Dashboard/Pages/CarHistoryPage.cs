using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>One merge request's history: each of its stays on a train, and every audit record about it, oldest first.</summary>
internal sealed class CarHistoryPage(long projectId, int iid) : MergeTrainPage
{
    private const int RecordsShown = 500;

    protected override string Title => $"History of !{iid}";

    protected override string Heading => $"History of !{iid} of project {projectId}";

    protected override void WriteLive()
    {
        var (stays, audit) = Read(connection => (
            DashboardQueries.StaysOf(connection, projectId, iid),
            DashboardQueries.Audit(connection, new AuditFilter(projectId, null, iid), 0, RecordsShown, oldestFirst: true)));
        var now = Now;
        if (stays.Count == 0)
        {
            WriteLiteral("<div class=\"alert alert-info\">This merge request was never on a train.</div>");
        }
        else
        {
            WriteLiteral("<h2>");
            Write(stays[^1].Car.Title);
            WriteLiteral("</h2><table class=\"table table-condensed mt-stays\"><thead><tr><th>Train</th><th>Added</th><th>By</th><th>Status</th><th>Why</th><th>Last pipeline</th><th>Rebuilds</th><th>Finished</th></tr></thead><tbody>");
            foreach (var stay in stays)
            {
                WriteStay(stay, now);
            }

            WriteLiteral("</tbody></table>");
        }

        WriteLiteral("<h2>Audit records</h2>");
        AuditTable.Write(Output, Url.To, audit.Items, now);
        if (audit.Total > audit.Items.Count)
        {
            WriteLiteral("<p class=\"text-muted\">");
            Write($"The first {audit.Items.Count} of {audit.Total} records; the ");
            Output.Link(Url.To($"{MergeTrainPages.Audit}?project={projectId}&iid={iid}"), "audit log");
            Write(" has them all.");
            WriteLiteral("</p>");
        }
    }

    private void WriteStay(CarStay stay, DateTimeOffset now)
    {
        var car = stay.Car;
        WriteLiteral("<tr><td><code>");
        Write(stay.TargetBranch);
        WriteLiteral("</code></td><td>");
        Output.Time(stay.AddedAt, now);
        WriteLiteral("</td><td>");
        Write(car.AddedBy);
        WriteLiteral("</td><td>");
        Output.Outcome(car);
        WriteLiteral("</td><td>");
        Write(car.Rebuilds);
        WriteLiteral("</td><td>");
        if (stay.FinishedAt is { } finished)
        {
            Output.Time(finished, now);
        }

        WriteLiteral("</td></tr>");
    }
}
