using Dapper;
using MergeTrain.Postgres.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Webhooks;

public class WebhookDeliveryStoreTests : ServiceDatabaseTest
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    [Test]
    public async Task A_redelivery_by_idempotency_key_or_by_uuid_and_body_is_a_duplicate()
    {
        var first = Delivery(uuid: "u-1", key: "k-1", body: """{"a":1}""");

        (await RecordAsync(first)).Outcome.ShouldBe(WebhookOutcome.Accepted);
        (await RecordAsync(first with { EventUuid = "u-2" })).Outcome.ShouldBe(WebhookOutcome.Duplicate, "same Idempotency-Key");
        (await RecordAsync(first with { IdempotencyKey = null })).Outcome.ShouldBe(WebhookOutcome.Duplicate, "same UUID and body");
        (await RecordAsync(Delivery(uuid: "u-1", key: null, body: """{"a":2}"""))).Outcome.ShouldBe(WebhookOutcome.Accepted, "same UUID, another body");

        (await WebhookDeliveryStore.CountSinceAsync(Connection, T0, CancellationToken.None))
            .ShouldBe(new Dictionary<WebhookOutcome, long> { [WebhookOutcome.Accepted] = 2, [WebhookOutcome.Duplicate] = 2 }, ignoreOrder: true);
        (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM webhook_deliveries WHERE outcome = 'duplicate' AND body IS NOT NULL")).ShouldBe(0);
    }

    [Test]
    public async Task Concurrent_redeliveries_are_accepted_once()
    {
        const int deliveries = 12;
        using var start = new Barrier(deliveries);
        var records = Enumerable.Range(0, deliveries).Select(_ => Task.Run(async () =>
        {
            await using var connection = await DataSource.OpenConnectionAsync();
            start.SignalAndWait();
            return await WebhookDeliveryStore.RecordAsync(connection, null, Delivery("same", "same", "{}"), T0, CancellationToken.None);
        }));

        var outcomes = await Task.WhenAll(records);

        outcomes.Count(o => o.Outcome == WebhookOutcome.Accepted).ShouldBe(1);
        outcomes.Count(o => o.Outcome == WebhookOutcome.Duplicate).ShouldBe(deliveries - 1);
    }

    [Test]
    public async Task A_rejected_delivery_is_recorded_without_its_body_and_blocks_nothing()
    {
        await WebhookDeliveryStore.RecordRejectedAsync(Connection, Delivery("u-9", "k-9", """{"secret":"x"}"""), "invalid X-Gitlab-Token", T0, CancellationToken.None);

        (await Connection.ExecuteScalarAsync<string?>("SELECT body::text FROM webhook_deliveries")).ShouldBeNull();
        (await RecordAsync(Delivery("u-9", "k-9", """{"secret":"x"}"""))).Outcome.ShouldBe(WebhookOutcome.Accepted, "a rejection is not a first delivery");
    }

    [Test]
    public async Task Processing_is_recorded_on_the_accepted_delivery()
    {
        var (id, _) = await RecordAsync(Delivery("u-1", null, "{}"));

        await WebhookDeliveryStore.MarkProcessedAsync(Connection, null, id, "train 3: merge request 7 added", T0.AddSeconds(1));

        var row = await Connection.QuerySingleAsync<(DateTime ProcessedAt, string Detail)>("SELECT processed_at, detail FROM webhook_deliveries WHERE id = @id", new { id });
        row.Detail.ShouldBe("train 3: merge request 7 added");
        new DateTimeOffset(row.ProcessedAt, TimeSpan.Zero).ShouldBe(T0.AddSeconds(1));
    }

    private static WebhookDelivery Delivery(string? uuid, string? key, string body) =>
        new(42, "Merge Request Hook", uuid, key, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))), body);

    private Task<(long Id, WebhookOutcome Outcome)> RecordAsync(WebhookDelivery delivery) =>
        WebhookDeliveryStore.RecordAsync(Connection, null, delivery, T0, CancellationToken.None);
}
