using Dapper;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Jobs;
using MergeTrain.Postgres.Trains;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Trains;

public class TrainProcessorTests
{
    private const string Target = "t0";
    private NpgsqlDataSource _dataSource = null!;
    private SimulatedWorld _world = null!;
    private TrainProcessor _processor = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = await ServiceDatabase.CreateAsync();
        _world = new SimulatedWorld();
        _processor = new TrainProcessor(_dataSource, _world, TimeProvider.System, NullLogger<TrainProcessor>.Instance);
    }

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task A_refresh_decides_the_inbox_performs_the_effects_in_order_and_stores_state_cars_and_audit()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1), Added(2));

        await _processor.RefreshAsync(train, Attempt(jobId: 1, attempt: 1), CancellationToken.None);

        var state = await StateAsync(train);
        state.Cars.Select(c => (c.Iid, c.Status)).ShouldBe([(1, CarStatus.Fresh), (2, CarStatus.Fresh)]);
        state.Cars[1].BaseSha.ShouldBe(state.Cars[0].CommitSha, "car 2 is built on car 1");
        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM train_effects WHERE state <> 'done'")).ShouldBe(0);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM train_events WHERE decided_at IS NULL")).ShouldBe(0);
        (await connection.QueryAsync<(int, string, int)>("SELECT iid, status, position FROM cars ORDER BY position"))
            .ShouldBe([(1, "fresh", 1), (2, "fresh", 2)]);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pipelines")).ShouldBe(2);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE iid = 1")).ShouldBeGreaterThan(0);
        _world.PipelinesByCommit.Values.ShouldAllBe(ids => ids.Count == 1);

        var ledgerKinds = _world.Ledger.Where(e => e.Effect is BuildCar or PublishCar or StartPipeline).Select(e => (e.Effect.GetType().Name, IidOf(e.Effect))).ToList();
        ledgerKinds.IndexOf(("StartPipeline", 1)).ShouldBeGreaterThan(ledgerKinds.IndexOf(("PublishCar", 1)), "a car is published before its pipeline starts");
    }

    [Test]
    public async Task A_crash_between_an_effect_and_its_record_is_repaired_by_the_next_attempt_without_repeating_the_effect()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1), Added(2));
        _world.CrashAfter["start-pipeline/1/g1/a0"] = true;
        _world.CrashAfter.Keys.ShouldHaveSingleItem();

        await Should.ThrowAsync<IOException>(() => _processor.RefreshAsync(train, Attempt(jobId: 7, attempt: 1), CancellationToken.None));
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            (await connection.ExecuteScalarAsync<string>("SELECT last_error FROM train_effects WHERE effect_key = 'start-pipeline/1/g1/a0'"))
                .ShouldBe("simulated crash after start-pipeline/1/g1/a0");
        }

        await _processor.RefreshAsync(train, Attempt(jobId: 7, attempt: 2), CancellationToken.None);

        var state = await StateAsync(train);
        state.Cars.ShouldAllBe(c => c.Status == CarStatus.Fresh && c.Pipeline != null);
        _world.PipelinesByCommit.Values.ShouldAllBe(ids => ids.Count == 1, "no pipeline was started twice for one car commit");
        _world.Ledger.GroupBy(e => e.Key).ShouldAllBe(g => g.Count() == 1, "no side effect happened twice");
    }

    [Test]
    public async Task An_effect_claimed_by_a_running_attempt_is_left_to_it()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1));
        await using var connection = await _dataSource.OpenConnectionAsync();
        var job = await JobStore.EnqueueAsync(connection, null, new NewJob("elsewhere"), DateTimeOffset.UtcNow, CancellationToken.None);
        var running = (await JobStore.FetchAsync(connection, JobStore.DefaultQueue, "other-server", 10, DateTimeOffset.UtcNow, CancellationToken.None))
            .Single(j => j.Id == job.Id);
        await _processor.DecideNowAsync(train, new TimerTicked(), CancellationToken.None);
        await connection.ExecuteAsync(
            "UPDATE train_effects SET state = 'in_flight', claimed_job = @Id, claimed_attempt = @Attempt WHERE id = (SELECT min(id) FROM train_effects)",
            new { running.Id, running.Attempt });

        await _processor.RefreshAsync(train, Attempt(jobId: 99, attempt: 1), CancellationToken.None);

        _world.Ledger.ShouldBeEmpty("the running attempt owns the train's effects");
    }

    [Test]
    public async Task A_request_the_engine_refuses_is_answered_at_once_and_changes_nothing()
    {
        var train = await CreateTrainAsync(projectId: 1);
        (await _processor.DecideNowAsync(train, Added(1), CancellationToken.None)).Rejection.ShouldBeNull();

        var again = await _processor.DecideNowAsync(train, Added(1), CancellationToken.None);

        again.Rejection.ShouldNotBeNull().Kind.ShouldBe(RejectionKind.Conflict);
        (await StateAsync(train)).Cars.ShouldHaveSingleItem();
    }

    [Test]
    public async Task Two_instances_process_many_trains_without_overlap_and_merge_every_car()
    {
        const int trains = 8;
        const int carsPerTrain = 3;
        var trainIds = new List<long>();
        for (var project = 1; project <= trains; project++)
        {
            trainIds.Add(await CreateTrainAsync(project));
        }

        await using var secondSource = NpgsqlDataSource.Create(_dataSource.ConnectionString);
        var options = new JobServerOptions { Concurrency = 4, MaintenanceInterval = TimeSpan.FromMilliseconds(100) };
        using var stop = new CancellationTokenSource();
        var instances = new[] { _dataSource, secondSource }.Select(source =>
        {
            var processor = new TrainProcessor(source, _world, TimeProvider.System, NullLogger<TrainProcessor>.Instance);
            var server = new JobServer(source, [new TrainRefreshHandler(processor)], options, TimeProvider.System, NullLogger<JobServer>.Instance);
            return Task.Run(() => server.RunAsync(stop.Token));
        }).ToList();

        foreach (var train in trainIds)
        {
            await SubmitAsync(train, Enumerable.Range(1, carsPerTrain).Select(Added).ToArray());
        }

        // Every pipeline passes, as its hook would report; cars merge in order.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var merged = 0L;
        while (DateTime.UtcNow < deadline && merged < trains * carsPerTrain)
        {
            foreach (var train in trainIds)
            {
                foreach (var car in (await StateAsync(train)).Cars.Where(c => c.Pipeline is { Status: PipelineStatus.Created }))
                {
                    await SubmitAsync(train, new PipelineStatusChanged(car.Pipeline!.Id, car.CommitSha!, car.Pipeline.Ref, PipelineStatus.Success, null));
                }
            }

            await Task.Delay(100);
            await using var connection = await _dataSource.OpenConnectionAsync();
            merged = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cars WHERE status = 'merged'");
        }

        await stop.CancelAsync();
        await Task.WhenAll(instances);

        merged.ShouldBe(trains * carsPerTrain);

        _world.Ledger.GroupBy(e => e.Key + "@" + e.ProjectId).ShouldAllBe(g => g.Count() == 1, "every effect happened once");
        _world.PipelinesByCommit.Values.ShouldAllBe(ids => ids.Count == 1);
        foreach (var perTrain in _world.Executions.GroupBy(e => e.ProjectId))
        {
            var ordered = perTrain.OrderBy(e => e.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                ordered[i].Start.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].End, $"effects of project {perTrain.Key} overlapped");
            }
        }

        _world.MaxConcurrent.ShouldBeGreaterThan(1, "different trains were processed at the same time");
    }

    private static Job Attempt(long jobId, int attempt) => new() { Id = jobId, Kind = TrainJobs.RefreshKind, Attempt = attempt };

    private static MergeRequestAdded Added(int iid) =>
        new(new MergeRequestSnapshot(iid, $"MR {iid}", $"feature-{iid}", "main", $"head-{iid}", false, MergeRequestState.Opened), null, "alice");

    private static int IidOf(TrainEffect effect) => effect switch
    {
        BuildCar e => e.Iid,
        PublishCar e => e.Iid,
        StartPipeline e => e.Iid,
        _ => 0,
    };

    private async Task<long> CreateTrainAsync(long projectId)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await TrainStore.UpsertProjectAsync(connection, null, projectId, $"group/project-{projectId}", new TrainSettings(), DateTimeOffset.UtcNow);
        return await TrainStore.EnsureTrainAsync(connection, null, projectId, $"group/project-{projectId}", "main", Target, DateTimeOffset.UtcNow);
    }

    private async Task SubmitAsync(long train, params TrainEvent[] events)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var trainEvent in events)
        {
            await _processor.SubmitAsync(connection, transaction, train, trainEvent, "test");
        }

        await transaction.CommitAsync();
    }

    private async Task<TrainState> StateAsync(long train)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return (await TrainStore.LockAsync(connection, transaction, train)).State;
    }
}
