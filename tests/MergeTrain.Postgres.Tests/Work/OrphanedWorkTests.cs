using Dapper;
using MergeTrain.Postgres.Work;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Work;

/// <summary>Work taken by a run whose connection (and so advisory lock) is gone is found at once; work whose run lives is not.</summary>
public class OrphanedWorkTests : ServiceDatabaseTest
{
    [Test]
    public async Task A_taken_request_is_orphaned_exactly_when_nobody_holds_its_lock()
    {
        var dead = WorkRequest.RefreshTrain(1);
        var alive = WorkRequest.RefreshTrain(2);
        var waiting = WorkRequest.DrainWebhooks(3);
        var now = DateTimeOffset.UtcNow;
        foreach (var request in new[] { dead, alive, waiting })
        {
            await WorkRequestStore.RequestAsync(Connection, null, request, now, CancellationToken.None);
        }

        // Two runs take their requests under their locks, as ExclusiveWork does; one of them then
        // dies: its connection, unpooled, is closed for good, as a killed process's would be.
        var unpooled = new NpgsqlConnectionStringBuilder(DataSource.ConnectionString) { Pooling = false }.ConnectionString;
        int dyingPid;
        await using (var dying = new NpgsqlConnection(unpooled))
        {
            await dying.OpenAsync();
            dyingPid = await dying.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
            await dying.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = dead.LockKey });
            await WorkRequestStore.TakeAsync(dying, dead, now, CancellationToken.None);
        }

        // The server ends the backend, and releases its locks, a moment after the client hangs up.
        await WaitUntilGoneAsync(dyingPid);

        await using var living = await DataSource.OpenConnectionAsync();
        await living.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = alive.LockKey });
        await WorkRequestStore.TakeAsync(living, alive, now, CancellationToken.None);

        var orphaned = await WorkRequestStore.OrphanedAsync(Connection, 10, CancellationToken.None);

        orphaned.ShouldBe([dead], "only the request whose run's lock went with its connection; the waiting one was never taken");
    }

    private async Task WaitUntilGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid", new { pid }) > 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"backend {pid} still runs 30 s after its client hung up");
            await Task.Delay(20);
        }
    }
}
