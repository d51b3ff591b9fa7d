using MergeTrain.Postgres.Migrations;
using MergeTrain.Postgres.Servers;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests;

public class ServerStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private NpgsqlDataSource _dataSource = null!;
    private ServerStore _store = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        await new MigrationRunner(_dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(Migration.Service, CancellationToken.None);
        _store = new ServerStore(_dataSource);
    }

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task A_registered_server_heartbeats_and_is_removed_on_shutdown()
    {
        var server = new ServerRecord("host-1:4242:abc", "host-1", 4242, "1.0.0", Start, Start);

        await _store.RegisterAsync(server, CancellationToken.None);
        (await _store.HeartbeatAsync(server.Id, Start.AddSeconds(15), CancellationToken.None)).ShouldBeTrue();

        var listed = (await _store.ListAsync(CancellationToken.None)).ShouldHaveSingleItem();
        listed.ShouldBe(server with { HeartbeatAt = Start.AddSeconds(15) });

        await _store.RemoveAsync(server.Id, CancellationToken.None);
        (await _store.ListAsync(CancellationToken.None)).ShouldBeEmpty();
        (await _store.HeartbeatAsync(server.Id, Start.AddSeconds(30), CancellationToken.None)).ShouldBeFalse();
    }
}
