using Dapper;
using MergeTrain.Core.Trains;
using Npgsql;

namespace MergeTrain.Postgres.Trains;

/// <summary>
/// The SQL of projects, trains, their inbox and outbox, and the projections written with every
/// decision (cars, pipelines, audit_events). Every method works inside the caller's transaction.
/// </summary>
public static class TrainStore
{
    private const string UpsertProject = """
        INSERT INTO projects (id, path, settings, updated_at) VALUES (@id, @path, @settings::jsonb, @now)
        ON CONFLICT (id) DO UPDATE SET path = EXCLUDED.path, settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at
        """;

    private const string InsertTrain = """
        INSERT INTO trains (project_id, target_branch, state, created_at, updated_at)
        VALUES (@projectId, @targetBranch, @state::jsonb, @now, @now)
        ON CONFLICT (project_id, target_branch) DO NOTHING
        """;

    private const string SelectTrainId = "SELECT id FROM trains WHERE project_id = @projectId AND target_branch = @targetBranch";

    private const string SelectTrainIdsOfProject = "SELECT id FROM trains WHERE project_id = @projectId ORDER BY id";

    // FOR UPDATE makes the decider the train's one writer for the rest of the transaction.
    private const string SelectTrainForUpdate = """
        SELECT t.id, t.state::text AS state, t.version, p.settings::text AS settings, t.next_timer_at
        FROM trains t JOIN projects p ON p.id = t.project_id
        WHERE t.id = @trainId
        FOR UPDATE OF t
        """;

    private const string UpdateTrain = """
        UPDATE trains SET state = @state::jsonb, version = version + 1, next_timer_at = @nextTimerAt, updated_at = @now
        WHERE id = @trainId AND version = @version
        """;

    private const string InsertEvent = """
        INSERT INTO train_events (train_id, event, source, received_at) VALUES (@trainId, @event::jsonb, @source, @now)
        """;

    private const string SelectPendingEvents = """
        SELECT id, event::text AS event FROM train_events
        WHERE train_id = @trainId AND decided_at IS NULL ORDER BY id LIMIT @limit
        """;

    private const string MarkDecided = "UPDATE train_events SET decided_at = @now WHERE id = ANY(@ids)";

    // Replaying a decision (after a crash) writes the same keys again: the first copy stands.
    private const string InsertEffect = """
        INSERT INTO train_effects (train_id, effect_key, effect, created_at) VALUES (@trainId, @key, @effect::jsonb, @now)
        ON CONFLICT (train_id, effect_key) DO NOTHING
        """;

    private const string SelectNextOpenEffect = """
        SELECT id, effect::text AS effect, state = 'in_flight' AS in_flight, attempts
        FROM train_effects WHERE train_id = @trainId AND state <> 'done' ORDER BY id LIMIT 1
        """;

    private const string ClaimEffect = """
        UPDATE train_effects SET state = 'in_flight', attempts = attempts + 1, claimed_by = @runner
        WHERE id = @effectId
        """;

    private const string CompleteEffect = """
        UPDATE train_effects SET state = 'done', results = @results::jsonb, performed_at = @now, last_error = NULL
        WHERE id = @effectId
        """;

    // The effect stays in flight: a failure may still have had its effect (a timeout after GitLab
    // created the pipeline), so the next attempt is told it may be a repeat.
    private const string RecordEffectError = "UPDATE train_effects SET last_error = @error WHERE id = @effectId";

    private const string InsertAudit = """
        INSERT INTO audit_events (train_id, project_id, target_branch, occurred_at, actor, iid, from_status, to_status, reason)
        VALUES (@trainId, @ProjectId, @TargetBranch, @At, @Actor, @Iid, @From, @To, @Reason)
        """;

    private const string UpsertCar = """
        INSERT INTO cars (train_id, project_id, target_branch, iid, added_at, status, drop_reason, position, car, updated_at, finished_at)
        VALUES (@trainId, @projectId, @targetBranch, @iid, @addedAt, @status, @dropReason, @position, @car::jsonb, @updatedAt, @finishedAt)
        ON CONFLICT (train_id, iid, added_at) DO UPDATE SET
            status = EXCLUDED.status, drop_reason = EXCLUDED.drop_reason, position = EXCLUDED.position,
            car = EXCLUDED.car, updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at
        """;

    private const string SelectActiveElsewhere = """
        SELECT iid, target_branch FROM cars
        WHERE project_id = @projectId AND iid = ANY(@iids) AND finished_at IS NULL AND train_id <> @trainId
        ORDER BY iid LIMIT 1
        """;

    private const string UpsertPipeline = """
        INSERT INTO pipelines (project_id, id, train_id, iid, sha, ref, status, web_url, created_at, updated_at)
        VALUES (@projectId, @id, @trainId, @iid, @sha, @ref, @status, @webUrl, @createdAt, @updatedAt)
        ON CONFLICT (project_id, id) DO UPDATE SET status = EXCLUDED.status, web_url = EXCLUDED.web_url, updated_at = EXCLUDED.updated_at
        """;

    private const string SelectTrainByPipeline = """
        SELECT train_id FROM pipelines WHERE project_id = @projectId AND (id = @pipelineId OR (ref = @ref AND sha = @sha))
        ORDER BY (id = @pipelineId) DESC LIMIT 1
        """;

    // Pipelines still running by our last word whose last news is older than the cutoff.
    private const string SelectQuietPipelines = """
        SELECT p.project_id, p.id, p.train_id, p.sha, p.ref, p.status
        FROM pipelines p
        WHERE p.status = ANY(@unfinished)
          AND p.abandoned_at IS NULL
          AND p.updated_at < @cutoff
        ORDER BY p.updated_at
        LIMIT @limit
        """;

    // Every pipeline of the train that its state (active cars, merged results) no longer refers to.
    private const string MarkAbandonedPipelines = """
        UPDATE pipelines SET abandoned_at = @now
        WHERE train_id = @trainId AND abandoned_at IS NULL AND id <> ALL(@followed)
        """;

    static TrainStore() => DapperTypes.Register();

    /// <summary>Pipelines we believe unfinished that have had no news since <paramref name="cutoff"/>: candidates for polling.</summary>
    public static async Task<IReadOnlyList<QuietPipeline>> QuietPipelinesAsync(NpgsqlConnection connection, DateTimeOffset cutoff, int limit)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<QuietPipeline>(new CommandDefinition(SelectQuietPipelines, new { cutoff, limit, unfinished = FinishedPipelineStatuses.UnfinishedNames }))).AsList();
    }

    /// <summary>Records a project and its train settings (from the configuration).</summary>
    public static Task UpsertProjectAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, string path, TrainSettings settings, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(UpsertProject, new { id, path, settings = TrainJson.Write(settings), now }, transaction));

    /// <summary>The id of the train of (project, target branch), created empty on <paramref name="targetHeadSha"/> if it does not exist.</summary>
    public static async Task<long> EnsureTrainAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long projectId, string projectPath, string targetBranch, string? targetHeadSha, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var state = TrainJson.Write(TrainState.Create(projectId, projectPath, targetBranch, targetHeadSha));
        await connection.ExecuteAsync(new CommandDefinition(InsertTrain, new { projectId, targetBranch, state, now }, transaction));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectTrainId, new { projectId, targetBranch }, transaction));
    }

    /// <summary>
    /// Of <paramref name="iids"/>, one that has an active car on another train of the project than
    /// <paramref name="trainId"/>, with that train's target branch; null when none has.
    /// </summary>
    public static Task<(int Iid, string TargetBranch)?> ActiveElsewhereAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long projectId, long trainId, IReadOnlyList<int> iids) =>
        connection.QueryFirstOrDefaultAsync<(int Iid, string TargetBranch)?>(new CommandDefinition(
            SelectActiveElsewhere, new { projectId, trainId, iids = iids.ToArray() }, transaction));

    /// <summary>The id of the train of (project, target branch), or null when there is none.</summary>
    public static Task<long?> FindTrainIdAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long projectId, string targetBranch) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectTrainId, new { projectId, targetBranch }, transaction));

    /// <summary>The ids of the project's trains, one per target branch.</summary>
    public static async Task<IReadOnlyList<long>> TrainIdsOfProjectAsync(NpgsqlConnection connection, long projectId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<long>(new CommandDefinition(SelectTrainIdsOfProject, new { projectId }))).AsList();
    }

    /// <summary>Loads a train and locks it until <paramref name="transaction"/> ends.</summary>
    public static async Task<TrainRow> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string State, long Version, string Settings, DateTimeOffset? NextTimerAt)>(
            new CommandDefinition(SelectTrainForUpdate, new { trainId }, transaction))
            ;
        if (row.Id == 0)
        {
            throw new InvalidOperationException($"Train {trainId} does not exist.");
        }

        return new TrainRow(row.Id, TrainJson.Read<TrainState>(row.State), row.Version, TrainJson.Read<TrainSettings>(row.Settings), row.NextTimerAt);
    }

    /// <summary>Appends an event to a train's inbox.</summary>
    public static Task AppendEventAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long trainId, TrainEvent trainEvent, string source, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(InsertEvent, new { trainId, @event = TrainJson.Write(trainEvent), source, now }, transaction));

    /// <summary>The oldest undecided events of a train.</summary>
    public static async Task<IReadOnlyList<InboxEvent>> PendingEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, int limit)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(long Id, string Event)>(new CommandDefinition(SelectPendingEvents, new { trainId, limit }, transaction));
        return rows.Select(r => new InboxEvent(r.Id, TrainJson.Read<TrainEvent>(r.Event))).ToList();
    }

    /// <summary>Marks inbox events decided.</summary>
    public static Task MarkDecidedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<long> ids, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(MarkDecided, new { ids = ids.ToArray(), now }, transaction));

    /// <summary>
    /// Stores what a series of decisions produced: the new state (if the version still matches),
    /// its effects in the outbox, its audit records, and the car and pipeline projections.
    /// </summary>
    /// <exception cref="TrainVersionConflictException">The train changed since it was read.</exception>
    public static async Task SaveAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        TrainRow train,
        TrainState state,
        IReadOnlyList<TrainEffect> effects,
        IReadOnlyList<AuditRecord> audit,
        IReadOnlyList<Car> finished,
        DateTimeOffset? nextTimerAt,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(state);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            UpdateTrain, new { state = TrainJson.Write(state), nextTimerAt, now, trainId = train.Id, version = train.Version }, transaction));
        if (updated != 1)
        {
            throw new TrainVersionConflictException(train.Id, train.Version);
        }

        foreach (var effect in effects)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertEffect, new { trainId = train.Id, key = effect.Key, effect = TrainJson.Write(effect), now }, transaction));
        }

        foreach (var record in audit)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertAudit, new
            {
                trainId = train.Id,
                state.ProjectId,
                state.TargetBranch,
                record.At,
                record.Actor,
                record.Iid,
                From = record.From is { } from ? from.ToGitLabName() : null,
                To = record.To is { } to ? to.ToGitLabName() : null,
                record.Reason,
            }, transaction));
        }

        for (var i = 0; i < state.Cars.Count; i++)
        {
            await WriteCarAsync(connection, transaction, train.Id, state, state.Cars[i], position: i + 1);
        }

        foreach (var car in finished)
        {
            await WriteCarAsync(connection, transaction, train.Id, state, car, position: null);
        }

        // Merged-results pipelines are routed like car pipelines when their hooks arrive.
        foreach (var result in state.MergedResults)
        {
            if (result.Pipeline is { } pipeline)
            {
                await WritePipelineAsync(connection, transaction, train.Id, state.ProjectId, result.Iid, pipeline);
            }
        }

        // Cancelled or left behind: still routed if a late hook comes, never polled again. Only a
        // decision that stops following a pipeline costs the statement, not every decision.
        var followed = FollowedPipelines(state);
        if (FollowedPipelines(train.State).Except(followed).Any())
        {
            await connection.ExecuteAsync(new CommandDefinition(MarkAbandonedPipelines, new { trainId = train.Id, followed, now }, transaction));
        }
    }

    private static long[] FollowedPipelines(TrainState state) =>
        [.. state.Cars.Select(c => c.Pipeline?.Id).Concat(state.MergedResults.Select(r => r.Pipeline?.Id)).OfType<long>()];

    /// <summary>The first effect of a train that is not done, or null.</summary>
    public static async Task<OpenEffect?> NextOpenEffectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string Effect, bool InFlight, int Attempts)?>(
            new CommandDefinition(SelectNextOpenEffect, new { trainId }, transaction));
        return row is { } r ? new OpenEffect(r.Id, TrainJson.Read<TrainEffect>(r.Effect), r.InFlight, r.Attempts) : null;
    }

    /// <summary>Marks an effect in flight, performed by <paramref name="runner"/> (host:pid, for operators).</summary>
    public static Task ClaimEffectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long effectId, string runner) =>
        connection.ExecuteAsync(new CommandDefinition(ClaimEffect, new { effectId, runner }, transaction));

    /// <summary>Marks an effect done with the events it produced.</summary>
    public static Task CompleteEffectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long effectId, IReadOnlyList<TrainEvent> results, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(CompleteEffect, new { effectId, results = TrainJson.Write(results), now }, transaction));

    /// <summary>Records why an attempt at an effect failed; the effect stays in flight for the next attempt to take over.</summary>
    public static Task RecordEffectErrorAsync(NpgsqlConnection connection, long effectId, string error) =>
        connection.ExecuteAsync(new CommandDefinition(RecordEffectError, new { effectId, error }));

    /// <summary>The train that started a pipeline, found by its id or else by its ref and sha.</summary>
    public static Task<long?> FindTrainByPipelineAsync(NpgsqlConnection connection, long projectId, long pipelineId, string? @ref, string? sha) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectTrainByPipeline, new { projectId, pipelineId, @ref, sha }));

    private static async Task WriteCarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, TrainState state, Car car, int? position)
    {
        await connection.ExecuteAsync(new CommandDefinition(UpsertCar, new
        {
            trainId,
            projectId = state.ProjectId,
            targetBranch = state.TargetBranch,
            iid = car.Iid,
            addedAt = car.AddedAt,
            status = car.Status.ToGitLabName(),
            dropReason = car.DropReason is { } reason ? reason.ToGitLabName() : null,
            position,
            car = TrainJson.Write(car),
            updatedAt = car.UpdatedAt,
            finishedAt = car.FinishedAt,
        }, transaction));

        if (car.Pipeline is { } pipeline)
        {
            await WritePipelineAsync(connection, transaction, trainId, state.ProjectId, car.Iid, pipeline);
        }
    }

    private static Task<int> WritePipelineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, long projectId, int iid, PipelineSnapshot pipeline) =>
        connection.ExecuteAsync(new CommandDefinition(UpsertPipeline, new
        {
            projectId,
            id = pipeline.Id,
            trainId,
            iid,
            sha = pipeline.Sha,
            @ref = pipeline.Ref,
            status = pipeline.Status.ToGitLabName(),
            webUrl = pipeline.WebUrl,
            createdAt = pipeline.CreatedAt,
            updatedAt = pipeline.UpdatedAt,
        }, transaction));
}
