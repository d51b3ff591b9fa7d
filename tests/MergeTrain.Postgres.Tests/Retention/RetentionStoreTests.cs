using Dapper;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Retention;
using MergeTrain.Postgres.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Retention;

public class RetentionStoreTests : ServiceDatabaseTest
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly DateTimeOffset Old = Now.AddDays(-40);
    private static readonly DateTimeOffset Cutoff = Now.AddDays(-30);

    [Test]
    public async Task Only_history_past_its_cutoff_that_no_work_needs_is_pruned()
    {
        await TrainStore.UpsertProjectAsync(Connection, null, 1, "group/project", new TrainSettings(), Now);
        var train = await TrainStore.EnsureTrainAsync(Connection, null, 1, "group/project", "main", "t0", Now);
        await Connection.ExecuteAsync("""
            INSERT INTO train_events (train_id, event, source, received_at, decided_at) VALUES
                (@train, '{}', 'old, decided', @Old, @Old), (@train, '{}', 'old, undecided', @Old, NULL), (@train, '{}', 'new', @Now, @Now);
            INSERT INTO train_effects (train_id, effect_key, effect, state, created_at, performed_at) VALUES
                (@train, 'old-done', '{}', 'done', @Old, @Old), (@train, 'old-open', '{}', 'pending', @Old, NULL), (@train, 'new-done', '{}', 'done', @Now, @Now);
            INSERT INTO webhook_deliveries (received_at, body_sha256, outcome, processed_at, detail) VALUES
                (@Old, 'a', 'accepted', @Old, 'old, processed'), (@Old, 'b', 'accepted', NULL, 'old, waiting'),
                (@Old, 'c', 'rejected', NULL, 'old, rejected'), (@Now, 'd', 'accepted', @Now, 'new');
            INSERT INTO pipelines (project_id, id, train_id, iid, sha, ref, status, created_at, updated_at, abandoned_at) VALUES
                (1, 1, @train, 1, 's', 'r', 'success', @Old, @Old, NULL), (1, 2, @train, 1, 's', 'r', 'running', @Old, @Old, NULL),
                (1, 3, @train, 1, 's', 'r', 'running', @Old, @Old, @Old), (1, 4, @train, 1, 's', 'r', 'failed', @Now, @Now, NULL);
            INSERT INTO audit_events (train_id, project_id, target_branch, occurred_at, actor, reason) VALUES
                (@train, 1, 'main', @Old, 'a', 'old'), (@train, 1, 'main', @Now, 'a', 'new');
            """, new { train, Old, Now });

        foreach (var history in Enum.GetValues<History>())
        {
            await RetentionStore.PruneAsync(Connection, history, Cutoff, CancellationToken.None);
        }

        (await Connection.QueryAsync<string>("SELECT source FROM train_events ORDER BY id")).ShouldBe(["old, undecided", "new"]);
        (await Connection.QueryAsync<string>("SELECT effect_key FROM train_effects ORDER BY id")).ShouldBe(["old-open", "new-done"]);
        (await Connection.QueryAsync<string>("SELECT detail FROM webhook_deliveries ORDER BY id")).ShouldBe(["old, waiting", "new"]);
        (await Connection.QueryAsync<long>("SELECT id FROM pipelines ORDER BY id")).ShouldBe([2L, 4L], "a pipeline still followed stays");
        (await Connection.QueryAsync<string>("SELECT reason FROM audit_events ORDER BY id")).ShouldBe(["new"]);
    }

    [Test]
    public async Task A_prune_larger_than_a_batch_goes_batch_by_batch_to_the_end()
    {
        await TrainStore.UpsertProjectAsync(Connection, null, 1, "group/project", new TrainSettings(), Now);
        var train = await TrainStore.EnsureTrainAsync(Connection, null, 1, "group/project", "main", "t0", Now);
        await Connection.ExecuteAsync(
            "INSERT INTO audit_events (train_id, project_id, target_branch, occurred_at, actor, reason) SELECT @train, 1, 'main', @Old, 'a', 'old' FROM generate_series(1, @count)",
            new { train, Old, count = (RetentionStore.Batch * 2) + 7 });

        (await RetentionStore.PruneAsync(Connection, History.Audit, Cutoff, CancellationToken.None)).ShouldBe((RetentionStore.Batch * 2) + 7);
        (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events")).ShouldBe(0);
    }
}
