using System.Globalization;
using MergeTrain.Application.Configuration;
using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>The audit log, newest first, paged, filtered by project, target branch and MR.</summary>
internal sealed class AuditPage : MergeTrainPage
{
    protected override string Title => "Audit log";

    private AuditFilter Filter => new(QueryNumber("project"), QueryValue("branch"), QueryNumber("iid") is { } iid and <= int.MaxValue ? (int)iid : null);

    protected override void WriteStatic()
    {
        var filter = Filter;
        WriteLiteral("<form method=\"get\" class=\"form-inline mt-filter\" action=\"");
        Write(Url.To(MergeTrainPages.Audit));
        WriteLiteral("\"><div class=\"form-group\"><label for=\"mt-project\">Project</label> <select id=\"mt-project\" name=\"project\" class=\"form-control input-sm\"><option value=\"\">all</option>");
        foreach (var project in Service<ProjectCatalog>().All.OrderBy(p => p.Path, StringComparer.Ordinal))
        {
            WriteLiteral(project.Id == filter.ProjectId ? "<option selected value=\"" : "<option value=\"");
            Write(project.Id);
            WriteLiteral("\">");
            Write(project.Path);
            WriteLiteral("</option>");
        }

        WriteLiteral("</select></div> <div class=\"form-group\"><label for=\"mt-branch\">Target branch</label> <input id=\"mt-branch\" name=\"branch\" class=\"form-control input-sm\" placeholder=\"any\" value=\"");
        Write(filter.TargetBranch);
        WriteLiteral("\"></div> <div class=\"form-group\"><label for=\"mt-iid\">MR</label> <input id=\"mt-iid\" name=\"iid\" type=\"number\" min=\"1\" class=\"form-control input-sm mt-iid\" placeholder=\"any\" value=\"");
        Write(filter.Iid?.ToString(CultureInfo.InvariantCulture));
        WriteLiteral("\"></div> <button type=\"submit\" class=\"btn btn-sm btn-primary\">Filter</button> ");
        Output.Link(Url.To(MergeTrainPages.Audit), "clear");
        WriteLiteral("</form>");
    }

    protected override void WriteLive()
    {
        var filter = Filter;
        var (from, count) = FilteredPager.Requested(Query("from"), Query("count"));
        var page = Read(connection => DashboardQueries.Audit(connection, filter, from, count));
        var pager = new FilteredPager(from, count, page.Total, Url.To(MergeTrainPages.Audit),
        [
            new("project", filter.ProjectId?.ToString(CultureInfo.InvariantCulture)),
            new("branch", filter.TargetBranch),
            new("iid", filter.Iid?.ToString(CultureInfo.InvariantCulture)),
        ]);
        AuditTable.Write(Output, Url.To, page.Items, Now);
        Write(Html.Paginator(pager));
    }
}
