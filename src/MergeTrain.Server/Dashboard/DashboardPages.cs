using System.Globalization;
using System.Text;
using System.Text.Json;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Dashboard;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Database;
using Npgsql;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Reads and renders the dashboard's pages. Reads go straight to the database (they change
/// nothing); every action goes through a MediatR command like the API's.
/// </summary>
public sealed class DashboardPages(DatabaseReadiness readiness, ProjectCatalog projects, TimeProvider clock)
{
    private const int Rows = 100;

    // Resolved per call: the pages exist before the database is ready (the login form does not need it).
    private NpgsqlDataSource DataSource => readiness.DataSource ?? throw new Mediation.DatabaseNotReadyException();

    /// <summary>Trains per project and branch, drawn as trains of cars.</summary>
    public async Task<string> TrainsAsync(bool admin, CancellationToken cancellationToken)
    {
        var html = new StringBuilder("<h1>Trains</h1>");
        if (projects.All.Count == 0)
        {
            html.Append("""
                <p>No project is configured yet. Add one with the <code>MergeTrain:Projects</code> settings, for example
                environment variables <code>MergeTrain__Projects__0__Id</code>, <code>__Path</code>, <code>__GitLabUrl</code>,
                <code>__GitLabToken</code>, <code>__WebhookSecret</code> and <code>__RepositoryUrl</code>, then restart.
                The README's "Point GitLab at MergeTrain" section has the whole recipe.</p>
                """);
            return html.ToString();
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var trains = await DashboardQueries.TrainsAsync(connection, cancellationToken);
        if (trains.Count == 0)
        {
            html.Append("<p class=\"muted\">No train yet: add a merge request with the train label, a <code>/merge-train</code> comment, or the API.</p>");
        }

        var now = clock.GetUtcNow();
        foreach (var train in trains)
        {
            var state = JsonSerializer.Deserialize<TrainState>(train.State)!;
            var basePath = $"/dashboard/trains/{train.ProjectId}/{Uri.EscapeDataString(train.TargetBranch)}";
            html.Append(CultureInfo.InvariantCulture, $"""
                <section class="train" aria-label="train {Html.E(train.ProjectPath)} {Html.E(train.TargetBranch)}">
                <h2>{Html.E(train.ProjectPath)} → <code>{Html.E(train.TargetBranch)}</code>
                {(state.Paused ? "<span class=\"paused\">paused</span>" : "")}
                <span class="muted">target at <code>{Html.Short(state.TargetHeadSha)}</code> · {state.MergedCount} merged · {state.DroppedCount} dropped</span></h2>
                {(state.Paused ? Html.Button(admin, basePath + "/resume", "Resume") : Html.Button(admin, basePath + "/pause", "Pause"))}
                <div class="cars active"><div class="car engine">target <strong>{Html.E(train.TargetBranch)}</strong><br><code>{Html.Short(state.TargetHeadSha)}</code></div>
                """);
            foreach (var car in state.Cars)
            {
                html.Append(Car(train.ProjectId, car, now, admin, basePath));
            }

            if (state.Cars.Count == 0)
            {
                html.Append("<div class=\"muted\">no cars</div>");
            }

            html.Append("</div>");
            var finished = state.Finished.TakeLast(8).Reverse().ToList();
            if (finished.Count > 0)
            {
                html.Append("<details><summary>Recently finished</summary><div class=\"cars finished\">");
                foreach (var car in finished)
                {
                    html.Append(Car(train.ProjectId, car, now, admin: false, basePath));
                }

                html.Append("</div></details>");
            }

            html.Append("</section>");
        }

        return html.ToString();
    }

    /// <summary>One MR's history on trains, from the audit log.</summary>
    public async Task<string> CarHistoryAsync(long projectId, int iid, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var entries = await DashboardQueries.AuditAsync(connection, projectId, iid, Rows, cancellationToken);
        return $"<h1>History of !{iid}</h1>" + AuditTable(entries);
    }

    /// <summary>The newest webhook deliveries: accepted, duplicate, rejected.</summary>
    public async Task<string> WebhooksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var deliveries = await DashboardQueries.DeliveriesAsync(connection, Rows, cancellationToken);
        var html = new StringBuilder("<h1>Webhook deliveries</h1><table><thead><tr><th>Id</th><th>Received</th><th>Event</th><th>UUID</th><th>Outcome</th><th>What came of it</th></tr></thead><tbody>");
        foreach (var delivery in deliveries)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{delivery.Id}</td><td>{Html.Time(delivery.ReceivedAt)}</td><td>{Html.E(delivery.EventKind)}</td><td><code>{Html.E(delivery.EventUuid)}</code></td><td><span class=\"badge\">{Html.E(delivery.Outcome)}</span></td><td>{Html.E(delivery.Detail)}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The newest audit records.</summary>
    public async Task<string> AuditAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return "<h1>Audit log</h1>" + AuditTable(await DashboardQueries.AuditAsync(connection, null, null, Rows, cancellationToken));
    }

    /// <summary>Merges per hour, time to merge, pipeline minutes spent and wasted, over the last day.</summary>
    public async Task<string> ChartsAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().AddHours(-24);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        static List<(string, double)> Bars(IReadOnlyList<ChartPoint> points, Func<double, double> scale) =>
            points.Select(p => (p.Period.UtcDateTime.ToString("HH:00", CultureInfo.InvariantCulture), scale(p.Value))).ToList();
        return "<h1>Charts (last 24 hours)</h1>"
            + Html.BarChart("Merges per hour", Bars(await DashboardQueries.MergesPerHourAsync(connection, since, cancellationToken), v => v), "merges")
            + Html.BarChart("Average time to merge", Bars(await DashboardQueries.TimeToMergeAsync(connection, since, cancellationToken), v => v / 60), "min")
            + Html.BarChart("Pipeline minutes spent", Bars(await DashboardQueries.PipelineMinutesAsync(connection, since, wasted: false, cancellationToken), v => v), "min")
            + Html.BarChart("Pipeline minutes wasted", Bars(await DashboardQueries.PipelineMinutesAsync(connection, since, wasted: true, cancellationToken), v => v), "min");
    }

    private static string Car(long projectId, Car car, DateTimeOffset now, bool admin, string basePath)
    {
        var status = car.Status.ToGitLabName();
        var pipeline = car.Pipeline is { } p
            ? $"""<a href="{Html.E(p.WebUrl)}">pipeline #{p.Id}</a> <span class="badge {p.Status.ToGitLabName()}">{p.Status.ToGitLabName()}</span> {Html.Duration((p.Status.IsFinished() ? p.UpdatedAt : now) - p.CreatedAt)}"""
            : "<span class=\"muted\">no pipeline yet</span>";
        var reason = car.DropReason is { } dropReason ? $"<br>reason: <strong>{dropReason.ToGitLabName()}</strong> {Html.E(car.Detail)}" : "";
        var actions = car.FinishedAt is null
            ? Html.Button(admin, $"{basePath}/cars/{car.Iid}/remove", "Remove", $"Remove !{car.Iid} from the train?")
              + Html.Button(admin, $"{basePath}/cars/{car.Iid}/merge-immediately", "Merge immediately", $"Merge !{car.Iid} now, without its pipeline?")
            : "";
        return $"""
            <div class="car {status}" aria-label="car !{car.Iid}">
            <a href="/dashboard/cars/{projectId}/{car.Iid}"><strong>!{car.Iid}</strong></a> <span class="badge {status}">{status}</span><br>
            {Html.E(car.Title)}<br>{pipeline}<br>
            base <code>{Html.Short(car.BaseSha)}</code> · car <code>{Html.Short(car.CommitSha)}</code>{reason}<br>{actions}
            </div>
            """;
    }

    private static string AuditTable(IReadOnlyList<AuditEntry> entries)
    {
        var html = new StringBuilder("<table><thead><tr><th>When</th><th>Train</th><th>MR</th><th>Change</th><th>Actor</th><th>Reason</th></tr></thead><tbody>");
        foreach (var entry in entries)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Html.Time(entry.OccurredAt)}</td><td>{Html.E(entry.ProjectPath)} <code>{Html.E(entry.TargetBranch)}</code></td><td>{(entry.Iid is { } iid ? $"!{iid}" : "")}</td><td>{Html.E(entry.FromStatus ?? "–")} → {Html.E(entry.ToStatus ?? "–")}</td><td>{Html.E(entry.Actor)}</td><td>{Html.E(entry.Reason)}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string Errors(string json)
    {
        using var errors = JsonDocument.Parse(json);
        if (errors.RootElement.GetArrayLength() == 0)
        {
            return "";
        }

        var last = errors.RootElement[errors.RootElement.GetArrayLength() - 1];
        return $"<details><summary>{errors.RootElement.GetArrayLength()} error(s)</summary><pre>{Html.E(last.GetProperty("error").GetString())}</pre></details>";
    }
}
