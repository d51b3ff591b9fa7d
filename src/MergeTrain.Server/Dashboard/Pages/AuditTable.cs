using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>Audit records as a table: the audit log and a car's history show them alike.</summary>
internal static class AuditTable
{
    /// <summary>Writes <paramref name="entries"/>, or says there are none.</summary>
    public static void Write(IHtmlOutput output, Func<string, string> url, IReadOnlyList<AuditEntry> entries, DateTimeOffset now)
    {
        if (entries.Count == 0)
        {
            output.Markup("<div class=\"alert alert-info\">No audit record matches.</div>");
            return;
        }

        output.Markup("<div class=\"table-responsive\"><table class=\"table table-hover mt-audit\"><thead><tr><th>When</th><th>Train</th><th>MR</th><th>Change</th><th>By</th><th>Why</th></tr></thead><tbody>");
        foreach (var entry in entries)
        {
            output.Markup("<tr><td>");
            output.Time(entry.OccurredAt, now);
            output.Markup("</td><td>");
            output.Text(entry.ProjectPath);
            output.Markup(" <code>");
            output.Text(entry.TargetBranch);
            output.Markup("</code></td><td>");
            if (entry.Iid is { } iid)
            {
                output.Link(url(MergeTrainPages.CarHistory(entry.ProjectId, iid)), $"!{iid}");
            }

            output.Markup("</td><td>");
            if (entry.FromStatus is not null || entry.ToStatus is not null)
            {
                if (entry.FromStatus is { } from)
                {
                    output.StatusLabel(from);
                }
                else
                {
                    output.Markup("<span class=\"text-muted\">new</span>");
                }

                output.Markup(" → ");
                if (entry.ToStatus is { } to)
                {
                    output.StatusLabel(to);
                }
            }
            else
            {
                output.Markup("<span class=\"text-muted\">train</span>");
            }

            output.Markup("</td><td>");
            output.Text(entry.Actor);
            output.Markup("</td><td>");
            output.Text(entry.Reason);
            output.Markup("</td></tr>");
        }

        output.Markup("</tbody></table></div>");
    }
}
