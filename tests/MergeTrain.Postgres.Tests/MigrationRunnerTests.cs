using Dapper;
using MergeTrain.Postgres.Migrations;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests;

public class MigrationRunnerTests
{
    // Neither script can run twice: CREATE TABLE without IF NOT EXISTS fails the second time.
    private static readonly Migration[] Scripts =
    [
        new(1, "create_widgets", "CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL)"),
        new(2, "seed_widgets", "INSERT INTO widgets VALUES (1, 'first')"),
        new(3, "create_gadgets", "CREATE TABLE gadgets (id int PRIMARY KEY)"),
    ];

    private NpgsqlDataSource _dataSource = null!;

    [SetUp]
    public async Task SetUp() => _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task Pending_migrations_are_applied_in_order_and_recorded_once()
    {
        var runner = Runner();

        (await runner.ApplyAsync([Scripts[2], Scripts[0], Scripts[1]], CancellationToken.None)).ShouldBe(3);
        (await runner.ApplyAsync(Scripts, CancellationToken.None)).ShouldBe(0);

        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY applied_at, version")).ShouldBe([1, 2, 3]);
        (await connection.ExecuteScalarAsync<string>("SELECT name FROM widgets WHERE id = 1")).ShouldBe("first");
    }

    [Test]
    public async Task Instances_migrating_at_the_same_time_apply_each_migration_exactly_once()
    {
        const int instances = 6;
        using var start = new Barrier(instances);
        var runs = Enumerable.Range(0, instances).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await Runner().ApplyAsync(Scripts, CancellationToken.None);
        }));

        var applied = await Task.WhenAll(runs);

        applied.Sum().ShouldBe(Scripts.Length);
        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations")).ShouldBe(Scripts.Length);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM widgets")).ShouldBe(1);
    }

    [Test]
    public async Task A_failing_migration_is_rolled_back_whole_and_stops_the_run()
    {
        Migration broken = new(2, "half_written", "CREATE TABLE half (id int); INSERT INTO no_such_table VALUES (1)");

        var error = await Should.ThrowAsync<InvalidOperationException>(
            () => Runner().ApplyAsync([Scripts[0], broken, Scripts[2]], CancellationToken.None));

        error.Message.ShouldContain("Migration 2 (half_written) failed");
        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.QueryAsync<int>("SELECT version FROM schema_migrations")).ShouldBe([1]);
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('half')::text")).ShouldBeNull();
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('gadgets')::text")).ShouldBeNull();
    }

    [Test]
    public async Task A_migration_edited_after_it_was_applied_is_refused()
    {
        await Runner().ApplyAsync([Scripts[0]], CancellationToken.None);
        Migration edited = new(1, "create_widgets", "CREATE TABLE widgets (id bigint PRIMARY KEY)");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => Runner().ApplyAsync([edited], CancellationToken.None));

        error.Message.ShouldContain("Migration 1 (create_widgets) was changed after it was applied");
    }

    [Test]
    public async Task The_service_schema_and_hangfire_schema_migrate_from_empty_and_again_to_no_effect()
    {
        Migration.Service.Select(m => m.Version).ShouldBe(Migration.Service.Select(m => m.Version).Order());
        Migration.Service.ShouldNotBeEmpty();

        (await Runner().ApplyServiceAsync(CancellationToken.None)).ShouldBe(Migration.Service.Count);
        (await Runner().ApplyServiceAsync(CancellationToken.None)).ShouldBe(0);

        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('work_requests')::text")).ShouldBe("work_requests");
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('jobs')::text")).ShouldBeNull("the home-made queue is gone");
        (await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('hangfire.job')::text")).ShouldBe("hangfire.job");
    }

    private MigrationRunner Runner() => new(_dataSource, NullLogger<MigrationRunner>.Instance);
}
