using MergeTrain.Postgres.Jobs;
using MergeTrain.Postgres.Migrations;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Server.Webhooks;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Webhooks;

public class WebhookSweeperTests
{
    [Test]
    public async Task A_delivery_stored_without_its_drain_job_gets_one_from_the_sweeper()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(Migration.Service, CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-5);

        // What an instance that died between the two writes leaves behind: a delivery, no job.
        await WebhookDeliveryStore.RecordAsync(connection, null, new WebhookDelivery(42, "Push Hook", "uuid", "key", "hash", "{}"), longAgo, CancellationToken.None);
        await WebhookDeliveryStore.RecordAsync(connection, null, new WebhookDelivery(43, "Push Hook", "uuid-2", "key-2", "hash-2", "{}"), DateTimeOffset.UtcNow, CancellationToken.None);

        await new WebhookSweeper(dataSource, TimeProvider.System, NullLogger<WebhookSweeper>.Instance)
            .HandleAsync(new Job { Kind = WebhookSweeper.JobKind }, CancellationToken.None);

        var jobs = await JobStore.ListAsync(connection, [JobState.Available, JobState.Scheduled], 10, 0, CancellationToken.None);
        jobs.Where(j => j.Kind == WebhookProcessor.JobKind).Select(j => j.UniqueKey).ShouldBe([$"{WebhookProcessor.JobKind}:42"], "only the delivery that waited too long");
        jobs.ShouldContain(j => j.Kind == WebhookSweeper.JobKind && j.State == JobState.Scheduled, "the sweeper comes back");
    }
}
