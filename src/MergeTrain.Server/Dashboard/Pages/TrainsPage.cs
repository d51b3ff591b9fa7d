using MergeTrain.Application.Configuration;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>
/// Every train drawn as a train: the target branch as the engine, then the cars in the order
/// they merge, each with its position, MR, status, pipeline, base and car commits; the train's
/// paused state; the recently finished cars. Admins get the actions (<see cref="TrainCommands"/>).
/// </summary>
internal sealed class TrainsPage : MergeTrainPage
{
    private const int FinishedShown = 6;

    protected override string Title => "Trains";

    protected override void WriteLive()
    {
        if (Service<ProjectCatalog>().All.Count == 0)
        {
            WriteLiteral("""
                <div class="alert alert-info">No project is configured yet. Add one with the <code>MergeTrain:Projects</code>
                settings, for example the environment variables <code>MergeTrain__Projects__0__Id</code>, <code>__Path</code>,
                <code>__GitLabUrl</code>, <code>__GitLabToken</code>, <code>__WebhookSecret</code> and <code>__RepositoryUrl</code>,
                then restart. The README's "Point GitLab at MergeTrain" section has the whole recipe.</div>
                """);
            return;
        }

        var trains = Read(DashboardQueries.TrainsOf);
        if (trains.Count == 0)
        {
            WriteLiteral("<div class=\"alert alert-info\">No train yet: add a merge request with the train label, a <code>/merge-train</code> comment, or the API.</div>");
            return;
        }

        var now = Now;
        foreach (var train in trains)
        {
            WriteTrain(train, now);
        }
    }

    private void WriteTrain(DashboardTrain train, DateTimeOffset now)
    {
        var state = train.State;
        var settings = Service<ProjectCatalog>().Find(train.ProjectId)?.Settings;
        WriteLiteral(state.Paused ? "<section class=\"mt-train mt-paused\" aria-label=\"" : "<section class=\"mt-train\" aria-label=\"");
        Write($"train {train.ProjectPath} {state.TargetBranch}");
        WriteLiteral("\"><div class=\"mt-train-head\"><h2 class=\"mt-train-title\">");
        Write(train.ProjectPath);
        WriteLiteral(" <span class=\"text-muted\">→</span> <code>");
        Write(state.TargetBranch);
        WriteLiteral("</code></h2>");
        if (state.Paused)
        {
            WriteLiteral("<span class=\"label label-warning mt-paused-label\">paused: no pipelines start, nothing merges</span>");
        }

        WriteLiteral("<span class=\"text-muted mt-train-facts\">");
        Write($"{state.Cars.Count} on the train · {state.MergedCount} merged · {state.DroppedCount} dropped · ");
        if (settings is not null)
        {
            if (settings.AdaptiveWindow)
            {
                Write($"window {state.Window ?? settings.MaxParallelPipelines} of {settings.MaxParallelPipelines} · ");
            }

            if (state.RunnerCapacity is { } runners)
            {
                WriteLiteral("<span class=\"label label-info\" title=\"GitLab reports jobs of the project waiting for a runner: no more cars start pipelines than the runners run, and queued pipelines beyond are cancelled\">");
                Write($"runners full: {runners} run");
                WriteLiteral("</span> · ");
            }

            if (CiBudget.IsSpent(settings, state, now))
            {
                WriteLiteral("<span class=\"label label-warning\" title=\"the pipeline minutes speculation may waste this hour are spent: only the first car starts pipelines\">CI budget spent</span> · ");
            }
        }

        Output.Link(Url.To($"{MergeTrainPages.Audit}?project={train.ProjectId}&branch={Uri.EscapeDataString(state.TargetBranch)}"), "audit log");
        WriteLiteral("</span>");
        if (!IsReadOnly)
        {
            WriteLiteral("<span class=\"mt-train-actions\">");
            if (state.Paused)
            {
                Button(TrainCommands.ResumePath(train.ProjectId, state.TargetBranch), "Resume", "btn-success", null);
            }
            else
            {
                Button(TrainCommands.PausePath(train.ProjectId, state.TargetBranch), "Pause", "btn-warning", null);
            }

            WriteLiteral("</span>");
        }

        WriteLiteral("</div><div class=\"mt-track\"><div class=\"mt-engine\" title=\"The target branch: car 1 merges into it first\"><div class=\"mt-engine-kind\">target</div><div class=\"mt-engine-branch\">");
        Write(state.TargetBranch);
        WriteLiteral("</div><div>");
        Output.Sha(state.TargetHeadSha);
        WriteLiteral("</div><span class=\"mt-wheel mt-wheel-left\"></span><span class=\"mt-wheel mt-wheel-right\"></span></div>");
        for (var index = 0; index < state.Cars.Count; index++)
        {
            WriteCar(train, settings, state.Cars[index], index + 1, state.Cars.Count, now);
        }

        if (state.Cars.Count == 0)
        {
            WriteLiteral("<div class=\"mt-no-cars text-muted\">no cars: the train is empty</div>");
        }

        WriteLiteral("</div>");
        WriteFinished(train, now);
        WriteLiteral("</section>");
    }

    private void WriteCar(DashboardTrain train, TrainSettings? settings, Car car, int position, int carCount, DateTimeOffset now)
    {
        var status = car.Status.ToGitLabName();
        WriteLiteral("<div class=\"mt-car mt-car-");
        Write(status);
        WriteLiteral("\" aria-label=\"");
        Write($"car !{car.Iid}");
        WriteLiteral("\"><div class=\"mt-car-head\"><span class=\"mt-position\" title=\"position on the train (GitLab: N of M in queue)\">");
        Write($"{position} of {carCount}");
        WriteLiteral("</span> ");
        Output.Link(Url.To(MergeTrainPages.CarHistory(train.ProjectId, car.Iid)), $"!{car.Iid}");
        WriteLiteral(" ");
        Output.StatusLabel(status);
        if (car.Priority == CarPriority.High)
        {
            WriteLiteral(" <span class=\"label label-warning\" title=\"high priority: placed ahead of the normal cars that had not started merging\">high priority</span>");
        }

        if (car.Bisecting)
        {
            WriteLiteral(" <span class=\"label label-danger mt-stage\" title=\"the pipeline of its batch failed: probes on the cars ahead of it find the merge request that fails; only that one is dropped\">batch failed: bisecting</span>");
        }
        else
        {
            WriteStage(car.Stage);
        }

        if (car.BisectionProbe)
        {
            WriteLiteral(" <span class=\"label label-info\" title=\"its own pipeline tests the first half of a batch that failed\">probe</span>");
        }

        if (car.MergeImmediately)
        {
            WriteLiteral(" <span class=\"label label-danger\" title=\"an operator asked to merge it now\">merge now</span>");
        }

        if (car.SetAside is not null)
        {
            WriteLiteral(" <span class=\"label label-warning mt-set-aside\" title=\"its batch failed: it waits off the train, on the commit it had, while probes find the merge request that fails; the cars cleared go back to the train\">set aside</span>");
        }

        if (car.Stale)
        {
            WriteLiteral(" <span class=\"label label-default\" title=\"kept through an immediate merge: its pipeline goes on, and it is rebuilt on the target head when it reaches the front\">kept</span>");
        }

        WriteLiteral("</div><div class=\"mt-car-title\" title=\"");
        Write(car.Title);
        WriteLiteral("\">");
        Write(car.Title);
        WriteLiteral("</div><div class=\"mt-car-line text-muted\" title=\"source branch\">from <code>");
        Write(car.SourceBranch);
        WriteLiteral("</code></div><div class=\"mt-car-line\">");
        if (car is { SetAside: not null, Stage: CarStage.Batched })
        {
            WriteLiteral("<span class=\"label label-info mt-batched\" title=\"set aside with its failed batch: a probe tests the batch up to a car ahead of or at it\">waiting for its batch's search</span>");
        }
        else if (train.State.BatchPipelineCarOf(car.Iid) is { } tester)
        {
            WriteLiteral("<span class=\"label label-info mt-batched\" title=\"in a batch: its commit is tested by the pipeline of the last car of the batch, which contains it\">");
            Write($"batched: tested by !{tester.Iid}'s pipeline");
            WriteLiteral("</span>");
        }
        else
        {
            WritePipeline(car, now);
        }
        WriteLiteral("</div><div class=\"mt-car-line\"><span class=\"text-muted\">base</span> ");
        Output.Sha(car.BaseSha);
        WriteLiteral(" <span class=\"text-muted\">car</span> ");
        Output.Sha(car.CommitSha);
        WriteLiteral("</div><div class=\"mt-car-line text-muted\">");
        Write($"added by {car.AddedBy} ");
        Output.Time(car.AddedAt, now);
        WriteLiteral("</div>");
        if (!IsReadOnly)
        {
            WriteLiteral("<div class=\"mt-car-actions\">");
            Button(TrainCommands.RemovePath(train.ProjectId, car.Iid), "Remove", "btn-default", $"Remove !{car.Iid} from the train?");
            Button(TrainCommands.MergeImmediatelyPath(train.ProjectId, train.State.TargetBranch, car.Iid), "Merge immediately", "btn-default",
                $"Merge !{car.Iid} now, without waiting for its pipeline? The train restarts: every car is rebuilt.");
            if (settings?.SkipTrainAllowed == true)
            {
                Button(TrainCommands.MergeImmediatelyKeepingTrainPath(train.ProjectId, train.State.TargetBranch, car.Iid), "Merge now, keep train", "btn-default",
                    $"Merge !{car.Iid} now, without waiting for its pipeline, and keep the train? The running pipelines go on; each car is rebuilt and tested again when it reaches the front.");
            }
            WriteLiteral("</div>");
        }

        WriteLiteral("<span class=\"mt-wheel mt-wheel-left\"></span><span class=\"mt-wheel mt-wheel-right\"></span></div>");
    }

    /// <summary>
    /// The stages in which a car's status ("fresh") hides what it waits for: its pipeline failed,
    /// yet it is still on the train.
    /// </summary>
    private void WriteStage(CarStage stage)
    {
        var (text, why) = stage switch
        {
            CarStage.RetryingPipeline => ("retrying failed jobs", "its pipeline failed: the failed jobs run again in the same pipeline while the car keeps its place"),
            CarStage.CheckingBase => ("checking the base", "its pipeline failed again: the failed jobs of the commit ahead are being listed, to tell whether the base is broken"),
            CarStage.FailurePending => ("failure pending: waiting for the cars behind", "its pipeline failed, but it keeps its place: if a car behind it passes, that tested commit contains this car and both merge"),
            _ => (null, null),
        };
        if (text is null)
        {
            return;
        }

        WriteLiteral(" <span class=\"label label-danger mt-stage\" title=\"");
        Write(why);
        WriteLiteral("\">");
        Write(text);
        WriteLiteral("</span>");
    }

    private void WritePipeline(Car car, DateTimeOffset now)
    {
        if (car.Pipeline is not { } pipeline)
        {
            WriteLiteral("<span class=\"text-muted\">no pipeline yet</span>");
            return;
        }

        WriteLiteral("pipeline ");
        Output.Pipeline(pipeline);
        WriteLiteral(" <span class=\"text-muted\">");
        Write(pipeline.Status.IsFinished()
            ? $"took {HtmlFragments.Duration(pipeline.UpdatedAt - pipeline.CreatedAt)}"
            : $"for {HtmlFragments.Duration(now - pipeline.CreatedAt)}");
        WriteLiteral("</span>");
    }

    private void WriteFinished(DashboardTrain train, DateTimeOffset now)
    {
        var finished = train.State.Finished.Reverse().Take(FinishedShown).ToList();
        if (finished.Count == 0)
        {
            return;
        }

        WriteLiteral("<table class=\"table table-condensed mt-finished\"><caption>Recently finished</caption><thead><tr><th>MR</th><th>Title</th><th>Outcome</th><th>Why</th><th>Pipeline</th><th>Finished</th></tr></thead><tbody>");
        foreach (var car in finished)
        {
            WriteLiteral("<tr aria-label=\"");
            Write($"finished !{car.Iid}");
            WriteLiteral("\"><td>");
            Output.Link(Url.To(MergeTrainPages.CarHistory(train.ProjectId, car.Iid)), $"!{car.Iid}");
            WriteLiteral("</td><td>");
            Write(car.Title);
            WriteLiteral("</td><td>");
            Output.Outcome(car);
            WriteLiteral("</td><td>");
            if (car.FinishedAt is { } at)
            {
                Output.Time(at, now);
            }

            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table>");
    }
}
