using Hangfire;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Dashboard;
using MergeTrain.Postgres.Diagnostics;
using Prometheus;

namespace MergeTrain.Server.Metrics;

/// <summary>
/// <c>mergetrain_cars</c> and <c>mergetrain_jobs</c>: the whole cluster's active cars and
/// Hangfire's job counts; <c>mergetrain_window</c> and <c>mergetrain_ci_budget_spent</c>: how many
/// cars of each train may start pipelines, and whether its CI budget is spent; read from the database at each scrape (the counters and histograms are
/// this instance's). Refreshes run one at a time and each applies a whole reading, so scrapes that
/// overlap never see a half-applied one; a series the reading no longer has is removed rather
/// than left at its last value.
/// </summary>
public sealed class ClusterGauges : IDisposable
{
    private readonly Gauge _cars;
    private readonly Gauge _jobs;
    private readonly Gauge _window;
    private readonly Gauge _budgetSpent;
    private readonly ProjectCatalog _projects;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly DatabaseReadiness _readiness;
    private readonly JobStorage _jobStorage;

    /// <summary>Registers the gauges, empty until the first refresh.</summary>
    public ClusterGauges(CollectorRegistry registry, DatabaseReadiness readiness, JobStorage jobStorage, ProjectCatalog projects, TimeProvider time)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _cars = factory.CreateGauge("mergetrain_cars", "Active cars, by status.", "project", "status", "target_branch");
        _jobs = factory.CreateGauge("mergetrain_jobs", "Jobs, by state (Hangfire's names).", "state");
        _window = factory.CreateGauge("mergetrain_window", "Cars of the train that may start pipelines (the adaptive window, or MaxParallelPipelines; fewer while the runners are full and the window follows them).", "project", "target_branch");
        _budgetSpent = factory.CreateGauge("mergetrain_ci_budget_spent", "1 while the train's CI budget for wasted pipeline minutes is spent, else 0.", "project", "target_branch");
        _projects = projects;
        _time = time;
        _readiness = readiness;
        _jobStorage = jobStorage;
    }

    /// <summary>Reads the gauges' values now; before the database is ready they stay as they are.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_readiness.DataSource is not { } dataSource)
        {
            return;
        }

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var reading = await GaugeQueries.ReadAsync(connection, _jobStorage, cancellationToken);
            Apply(_cars, reading.Cars.Select(c => (new[] { c.Project, c.Status, c.TargetBranch }, c.Count)));
            Apply(_jobs, reading.Jobs.Select(j => (new[] { j.State }, j.Count)));
            var trains = DashboardQueries.TrainsOf(connection)
                .Select(train => (Train: train, Settings: _projects.Find(train.ProjectId)?.Settings))
                .Where(known => known.Settings is not null)
                .ToList();
            var now = _time.GetUtcNow();
            Apply(_window, trains.Select(t => (new[] { t.Train.ProjectPath, t.Train.State.TargetBranch }, (long)PipelineWindow.Of(t.Settings!, t.Train.State))));
            Apply(_budgetSpent, trains.Select(t => (new[] { t.Train.ProjectPath, t.Train.State.TargetBranch }, CiBudget.IsSpent(t.Settings!, t.Train.State, now) ? 1L : 0L)));
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _refreshing.Dispose();

    private static void Apply(Gauge gauge, IEnumerable<(string[] Labels, long Value)> reading)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in reading)
        {
            gauge.WithLabels(labels).Set(value);
            kept.Add(Key(labels));
        }

        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!kept.Contains(Key(labels)))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }

    // Label values may hold any character but NUL, which neither GitLab paths nor branch names allow.
    private static string Key(string[] labels) => string.Join('\0', labels);
}
