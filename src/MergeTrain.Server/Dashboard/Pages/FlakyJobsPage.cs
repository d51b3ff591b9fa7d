using System.Globalization;
using MergeTrain.Postgres.Trains;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>
/// The flake record (issue 12): every CI job the train retried in place after a failed car
/// pipeline, with how often it then passed (flaky) or failed again; the flakiest first.
/// </summary>
internal sealed class FlakyJobsPage : MergeTrainPage
{
    private const int Shown = 200;

    protected override string Title => "Flaky jobs";

    protected override void WriteLive()
    {
        var jobs = Read(connection => FlakyJobStore.Flakiest(connection, Shown));
        if (jobs.Count == 0)
        {
            WriteLiteral("<div class=\"alert alert-info\">No job was retried yet. A failed car pipeline has its failed jobs retried when the project's <code>FailedPipelineRetries</code> is above 0.</div>");
            return;
        }

        var now = Now;
        WriteLiteral("<div class=\"table-responsive\"><table class=\"table table-hover mt-flaky-jobs\"><thead><tr><th>Project</th><th>Job</th><th>Retried</th><th>Passed on retry</th><th>Failed again</th><th>Flaky</th><th>Latest</th></tr></thead><tbody>");
        foreach (var job in jobs)
        {
            WriteLiteral("<tr><td>");
            Write(job.ProjectPath);
            WriteLiteral("</td><td><code>");
            Write(job.JobName);
            WriteLiteral("</code></td><td>");
            Write(job.Retries);
            WriteLiteral("</td><td>");
            Write(job.PassedOnRetry);
            WriteLiteral("</td><td>");
            Write(job.FailedAgain);
            WriteLiteral("</td><td>");
            Write((job.PassedOnRetry / (double)job.Retries).ToString("P0", CultureInfo.InvariantCulture));
            WriteLiteral("</td><td>");
            Output.StatusLabel(job.LastOutcome);
            WriteLiteral(" ");
            Output.Link(Url.To(MergeTrainPages.CarHistory(job.ProjectId, job.LastIid)), $"!{job.LastIid}");
            Write($", pipeline #{job.LastPipeline}, ");
            Output.Time(job.LastAt, now);
            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table></div>");
    }
}
