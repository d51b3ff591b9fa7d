using Dapper;
using MergeTrain.Application.Tests.Work;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Application.Tests.Trains;

public class TrainProcessorTests
{
    private const string Target = "t0";
    private NpgsqlDataSource _dataSource = null!;
    private SimulatedWorld _world = null!;
    private TrainProcessor _processor = null!;
    private InlineWorkScheduler _scheduler = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = await ServiceDatabase.CreateAsync();
        _world = new SimulatedWorld();
        _scheduler = new InlineWorkScheduler();
        _processor = Processor(_dataSource);
    }

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task A_refresh_decides_the_inbox_performs_the_effects_in_order_and_stores_state_cars_and_audit()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1), Added(2));

        (await _processor.RunAsync(train, CancellationToken.None)).ShouldBeTrue();

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
        (await WorkRequestStore.FindAsync(connection, WorkRequest.RefreshTrain(train))).ShouldBeNull("the request is done with");
        _scheduler.Enqueued.ToArray().ShouldBe([WorkRequest.RefreshTrain(train)], "two events, one job");
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

        await Should.ThrowAsync<IOException>(() => _processor.RunAsync(train, CancellationToken.None));
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            (await connection.ExecuteScalarAsync<string>("SELECT last_error FROM train_effects WHERE effect_key = 'start-pipeline/1/g1/a0'"))
                .ShouldBe("simulated crash after start-pipeline/1/g1/a0");
            (await WorkRequestStore.FindAsync(connection, WorkRequest.RefreshTrain(train))).ShouldNotBeNull().FailedAt.ShouldNotBeNull("the request waits for the retry");
        }

        await _processor.RunAsync(train, CancellationToken.None);

        var state = await StateAsync(train);
        state.Cars.ShouldAllBe(c => c.Status == CarStatus.Fresh && c.Pipeline != null);
        _world.PipelinesByCommit.Values.ShouldAllBe(ids => ids.Count == 1, "no pipeline was started twice for one car commit");
        _world.Ledger.GroupBy(e => e.Key).ShouldAllBe(g => g.Count() == 1, "no side effect happened twice");
    }

    [Test]
    public async Task A_run_that_finds_the_train_held_leaves_and_the_holder_does_what_was_asked_meanwhile()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1));

        // Another run (here: a session holding the train's lock) is working on the train. Not
        // pooled: a session lock outlives a connection returned to the pool.
        await using (var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await holder.OpenAsync();
            await holder.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = WorkRequest.RefreshTrain(train).LockKey });
            (await _processor.RunAsync(train, CancellationToken.None)).ShouldBeFalse();
            _world.Ledger.ShouldBeEmpty("the holder owns the train's effects");
        }

        // The holder's connection is gone (as with a crashed process): once its server process
        // has noticed and released the lock, the next run takes over.
        await using (var probe = await _dataSource.OpenConnectionAsync())
        {
            var key = WorkRequest.RefreshTrain(train).LockKey;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!await probe.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@key)", new { key }))
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the lock of a closed session was never released");
                await Task.Delay(10);
            }

            await probe.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key });
        }

        (await _processor.RunAsync(train, CancellationToken.None)).ShouldBeTrue();
        (await StateAsync(train)).Cars.ShouldHaveSingleItem().Status.ShouldBe(CarStatus.Fresh);
    }

    [Test]
    public async Task A_pipeline_the_train_stops_following_is_never_polled_again()
    {
        var train = await CreateTrainAsync(projectId: 1);
        await SubmitAsync(train, Added(1), Added(2));
        await _processor.RunAsync(train, CancellationToken.None);
        var before = await StateAsync(train);
        var (first, second) = (before.Cars[0].Pipeline!, before.Cars[1].Pipeline!);

        // Car 1 fails: it is dropped, car 2 is rebuilt and its first pipeline cancelled.
        await SubmitAsync(train, new PipelineStatusChanged(first.Id, first.Sha, first.Ref, PipelineStatus.Failed, null));
        await _processor.RunAsync(train, CancellationToken.None);

        var rebuilt = (await StateAsync(train)).Cars.ShouldHaveSingleItem().Pipeline.ShouldNotBeNull();
        rebuilt.Id.ShouldNotBe(second.Id);
        await using var connection = await _dataSource.OpenConnectionAsync();
        var quiet = await TrainStore.QuietPipelinesAsync(connection, DateTimeOffset.UtcNow.AddHours(1), 50);
        quiet.Select(p => p.Id).ShouldBe([rebuilt.Id], "the cancelled pipeline is not asked about; the running one is");
        (await connection.ExecuteScalarAsync<string>("SELECT status FROM pipelines WHERE id = @id", new { id = second.Id })).ShouldNotBeNull("a late hook about it can still be routed");

        // Canceling is not finished: a followed pipeline whose hook was lost in that state is still polled.
        await connection.ExecuteAsync("UPDATE pipelines SET status = 'canceling' WHERE id = @id", new { id = rebuilt.Id });
        (await TrainStore.QuietPipelinesAsync(connection, DateTimeOffset.UtcNow.AddHours(1), 50)).Select(p => p.Id).ShouldBe([rebuilt.Id]);
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

        // Two instances, each on its own data source; every request's job runs on both at once.
        await using var secondSource = NpgsqlDataSource.Create(_dataSource.ConnectionString);
        var second = Processor(secondSource);
        _scheduler.Instances.Add(request => _processor.RunAsync(request.Key, CancellationToken.None));
        _scheduler.Instances.Add(request => second.RunAsync(request.Key, CancellationToken.None));

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

        await _scheduler.DrainAsync();

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

    private TrainProcessor Processor(NpgsqlDataSource source) =>
        new(source, _world, _scheduler, new ExclusiveWork(source, TimeProvider.System, NullLogger<ExclusiveWork>.Instance), TimeProvider.System, NullLogger<TrainProcessor>.Instance);

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
        var wakeups = new Wakeups();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            foreach (var trainEvent in events)
            {
                await _processor.SubmitAsync(connection, transaction, train, trainEvent, "test", wakeups);
            }

            await transaction.CommitAsync();
        }

        _processor.Wake(wakeups);
    }

    private async Task<TrainState> StateAsync(long train)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return (await TrainStore.LockAsync(connection, transaction, train)).State;
    }
}
