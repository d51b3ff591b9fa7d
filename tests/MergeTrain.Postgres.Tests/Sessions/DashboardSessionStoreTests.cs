using System.Security.Cryptography;
using System.Xml.Linq;
using Dapper;
using MergeTrain.Postgres.Sessions;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Sessions;

public class DashboardSessionStoreTests : ServiceDatabaseTest
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_session_is_found_by_its_id_until_it_expires_or_is_deleted_and_only_its_hash_is_stored()
    {
        var id = DashboardSessionStore.NewId();
        var other = DashboardSessionStore.NewId();
        await DashboardSessionStore.CreateAsync(Connection, id, "ops", "admin", Now, Now.AddHours(8), CancellationToken.None);
        await DashboardSessionStore.CreateAsync(Connection, other, "alice", "developer", Now, Now.AddHours(8), CancellationToken.None);

        var found = await DashboardSessionStore.FindAsync(Connection, id, Now.AddHours(1), CancellationToken.None);
        var atExpiry = await DashboardSessionStore.FindAsync(Connection, id, Now.AddHours(8), CancellationToken.None);
        var unknown = await DashboardSessionStore.FindAsync(Connection, DashboardSessionStore.NewId(), Now, CancellationToken.None);
        var stored = (await Connection.QueryAsync<byte[]>("SELECT id_sha256 FROM dashboard_sessions")).ToList();

        id.Length.ShouldBe(32);
        found.ShouldBe(new DashboardSessionRecord("ops", "admin", Now, Now.AddHours(8)));
        atExpiry.ShouldBeNull("a session ends at its expiry");
        unknown.ShouldBeNull();
        stored.ShouldContain(hash => hash.SequenceEqual(SHA256.HashData(id)));
        stored.ShouldNotContain(hash => hash.SequenceEqual(id));

        (await DashboardSessionStore.DeleteAsync(Connection, id, CancellationToken.None)).ShouldBeTrue();
        (await DashboardSessionStore.DeleteAsync(Connection, id, CancellationToken.None)).ShouldBeFalse();
        (await DashboardSessionStore.FindAsync(Connection, id, Now, CancellationToken.None)).ShouldBeNull();
        (await DashboardSessionStore.FindAsync(Connection, other, Now, CancellationToken.None)).ShouldNotBeNull("deleting one session leaves the others");
    }

    [Test]
    public async Task Pruning_deletes_only_expired_sessions_batch_after_batch()
    {
        await Connection.ExecuteAsync("""
            INSERT INTO dashboard_sessions (id_sha256, token_name, role, created_at, expires_at)
            SELECT sha256(n::text::bytea), 'ops', 'admin', @created, @expired FROM generate_series(1, @count) AS n
            """, new { created = Now.AddHours(-9), expired = Now.AddHours(-1), count = DashboardSessionStore.Batch + 5 });
        var live = DashboardSessionStore.NewId();
        await DashboardSessionStore.CreateAsync(Connection, live, "ops", "admin", Now, Now.AddHours(8), CancellationToken.None);

        var pruned = await DashboardSessionStore.PruneExpiredAsync(Connection, Now, CancellationToken.None);

        pruned.ShouldBe(DashboardSessionStore.Batch + 5);
        (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM dashboard_sessions")).ShouldBe(1);
        (await DashboardSessionStore.FindAsync(Connection, live, Now, CancellationToken.None)).ShouldNotBeNull();
    }

    [Test]
    public void Data_protection_keys_are_stored_once_and_read_back_as_written()
    {
        var store = new DataProtectionKeyStore(() => DataSource);
        var key = new XElement("key", new XAttribute("id", "1"), new XElement("secret", "abc"));

        store.GetAllElements().ShouldBeEmpty();
        store.StoreElement(key, "key-1");
        store.StoreElement(new XElement("key", new XAttribute("id", "1"), "another body"), "key-1");
        store.StoreElement(new XElement("key", new XAttribute("id", "2")), "key-2");

        var read = store.GetAllElements();
        read.Count.ShouldBe(2, "a name is stored once");
        XNode.DeepEquals(read.First(), key).ShouldBeTrue();
    }
}
