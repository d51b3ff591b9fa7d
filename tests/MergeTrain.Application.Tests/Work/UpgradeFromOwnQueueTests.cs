using Dapper;
using MergeTrain.Application.Tests.Trains;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Migrations;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Application.Tests.Work;

/// <summary>A database of the release before Hangfire, with work waiting in the old queue's tables.</summary>
public class UpgradeFromOwnQueueTests
{
    private const int LastVersionWithOwnQueue = 5;

    [Test]
    public async Task Pending_work_of_the_old_queue_becomes_work_requests_and_is_done_after_the_upgrade()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        await runner.ApplyAsync(Migration.Service.Where(m => m.Version <= LastVersionWithOwnQueue).ToList(), CancellationToken.None);

        // What the previous release left: an event in a train's inbox with its refresh job waiting,
        // another refresh of it running, a webhook drain being retried, and finished and recurring jobs.
        long train;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await TrainStore.UpsertProjectAsync(connection, null, 1, "group/project", new TrainSettings(), DateTimeOffset.UtcNow);
            train = await TrainStore.EnsureTrainAsync(connection, null, 1, "group/project", "main", "t0", DateTimeOffset.UtcNow);
            await TrainStore.AppendEventAsync(connection, null, train, Added(1), "webhook:1", DateTimeOffset.UtcNow);
            await connection.ExecuteAsync("""
                INSERT INTO jobs (kind, args, state, attempt, unique_key, created_at, scheduled_at) VALUES
                    ('refresh_train',   jsonb_build_object('train_id', @train), 'available', 0, 'refresh_train:' || @train, now(), now()),
                    ('refresh_train',   jsonb_build_object('train_id', @train), 'running',   1, NULL, now(), now()),
                    ('process_webhook', '{"project_id": 1}', 'retryable', 3, 'process_webhook:1', now(), now() + interval '1 hour'),
                    ('process_webhook', '{"project_id": 2}', 'completed', 1, NULL, now(), now()),
                    ('poll_pipelines',  '{}', 'scheduled', 0, 'poll_pipelines', now(), now() + interval '30 seconds')
                """, new { train });
        }

        await runner.ApplyServiceAsync(CancellationToken.None);

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            (await connection.QueryAsync<(string Kind, long Key)>("SELECT kind, key FROM work_requests ORDER BY kind, key"))
                .ShouldBe([("drain_webhooks", 1L), ("refresh_train", train)], "waiting work carries over, finished work does not");
            foreach (var table in new[] { "jobs", "leader", "servers" })
            {
                (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass(@table)::text", new { table })).ShouldBeNull();
            }
        }

        // The new release does the work it found.
        var world = new SimulatedWorld();
        var processor = new TrainProcessor(dataSource, world, new InlineWorkScheduler(), new ExclusiveWork(dataSource, TimeProvider.System, NullLogger<ExclusiveWork>.Instance),
            TimeProvider.System, NullLogger<TrainProcessor>.Instance);
        (await processor.RunAsync(train, CancellationToken.None)).ShouldBeTrue();

        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            (await TrainStore.LockAsync(connection, transaction, train)).State.Cars.ShouldHaveSingleItem().Status.ShouldBe(CarStatus.Fresh);
            (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM work_requests WHERE kind = 'refresh_train'", transaction: transaction)).ShouldBe(0);
        }
    }

    private static MergeRequestAdded Added(int iid) =>
        new(new MergeRequestSnapshot(iid, $"MR {iid}", $"feature-{iid}", "main", $"head-{iid}", false, MergeRequestState.Opened), null, "alice");
}
