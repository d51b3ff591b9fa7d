using System.Diagnostics;
using MergeTrain.Application.Diagnostics;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Application.Trains;

/// <summary>
/// Moves trains forward. Events enter a train's inbox with a refresh request in one transaction;
/// the refresh job enqueued after the commit runs one train at a time (<see cref="ExclusiveWork"/>).
/// A refresh then alternates short transactions with slow work: it decides the pending events with
/// the engine and stores the new state with its effects (the outbox) under the train's row lock,
/// claims the next effect, performs it outside any transaction, and records its outcome, whose
/// events go back to the inbox. A crash anywhere leaves either undecided events or an unfinished
/// effect, and the next refresh carries on from there.
/// </summary>
public sealed class TrainProcessor(
    NpgsqlDataSource dataSource,
    ITrainEffectExecutor executor,
    IWorkScheduler scheduler,
    ExclusiveWork exclusive,
    TimeProvider clock,
    ILogger<TrainProcessor> logger)
{
    private const int EventsPerDecision = 200;

    // Who performs an effect, for an operator reading train_effects: this process.
    private static readonly string Runner = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Appends <paramref name="trainEvent"/> to a train's inbox and requests its refresh, in
    /// <paramref name="transaction"/>; the caller sends <paramref name="wakeups"/> after the commit.
    /// </summary>
    public async Task SubmitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, TrainEvent trainEvent, string source, Wakeups wakeups)
    {
        ArgumentNullException.ThrowIfNull(wakeups);
        var now = clock.GetUtcNow();
        await TrainStore.AppendEventAsync(connection, transaction, trainId, trainEvent, source, now);
        await RequestRefreshAsync(connection, transaction, trainId, wakeups, now, CancellationToken.None);
    }

    /// <summary>Sends the jobs of <paramref name="wakeups"/>: call it after the transaction that filled it has committed.</summary>
    public void Wake(Wakeups wakeups)
    {
        ArgumentNullException.ThrowIfNull(wakeups);
        wakeups.Send(scheduler);
    }

    /// <summary>
    /// The refresh job's body: refreshes the train for as long as it is asked to, unless another
    /// run holds it (then returns false; that run does the work).
    /// </summary>
    public Task<bool> RunAsync(long trainId, CancellationToken cancellationToken) =>
        exclusive.RunAsync(WorkRequest.RefreshTrain(trainId), token => RefreshAsync(trainId, token), cancellationToken);

    /// <summary>The job of a train's timer: asks for a refresh, then runs it.</summary>
    public async Task<bool> RunTimerAsync(long trainId, CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await WorkRequestStore.RequestAsync(connection, null, WorkRequest.RefreshTrain(trainId), clock.GetUtcNow(), cancellationToken);
        }

        return await RunAsync(trainId, cancellationToken);
    }

    private static async Task RequestRefreshAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, Wakeups wakeups, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var request = WorkRequest.RefreshTrain(trainId);
        if (await WorkRequestStore.RequestAsync(connection, transaction, request, now, cancellationToken))
        {
            wakeups.Add(request);
        }
    }

    /// <summary>
    /// Decides <paramref name="trainEvents"/> at once, after whatever is already waiting, inside the
    /// caller's transaction, and returns the engine's last decision: for requests whose caller needs
    /// the answer (a refused add is a 409). A refused event changes nothing. The effects are left to
    /// the refresh job this requests.
    /// </summary>
    public async Task<Decision> DecideNowAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, IReadOnlyList<TrainEvent> trainEvents, Wakeups wakeups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trainEvents);
        ArgumentNullException.ThrowIfNull(wakeups);
        var train = await TrainStore.LockAsync(connection, transaction, trainId);
        var (state, decisions) = await DecidePendingAsync(connection, transaction, train);
        var engine = new TrainEngine(train.Settings);
        var now = clock.GetUtcNow();
        Decision? last = null;
        foreach (var trainEvent in trainEvents)
        {
            last = await RefusedIfActiveElsewhereAsync(connection, transaction, train.Id, state, engine.Decide(state, trainEvent, now));
            if (last.Rejection is null)
            {
                decisions.Add(last);
                state = last.State;
            }
        }

        await SaveAsync(connection, transaction, train, decisions, now);
        await RequestRefreshAsync(connection, transaction, trainId, wakeups, now, cancellationToken);
        return last ?? throw new ArgumentException("No event to decide.", nameof(trainEvents));
    }

    /// <summary>As the other overload, in a transaction of its own.</summary>
    public async Task<Decision> DecideNowAsync(long trainId, TrainEvent trainEvent, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var wakeups = new Wakeups();
        var decision = await DecideNowAsync(connection, transaction, trainId, [trainEvent], wakeups, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Wake(wakeups);
        return decision;
    }

    /// <summary>
    /// One refresh, run by the holder of the train's lock: decide, perform, record, until the
    /// train has nothing left to do. An effect found in flight was left by a run that ended (a
    /// crash, a failure): it is performed again, and the executor is told it may be a repeat.
    /// </summary>
    private async Task RefreshAsync(long trainId, CancellationToken cancellationToken)
    {
        while (true)
        {
            OpenEffect effect;
            TrainState state;
            DateTimeOffset? newTimer = null;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                var train = await TrainStore.LockAsync(connection, transaction, trainId);
                var (decided, decisions) = await DecidePendingAsync(connection, transaction, train);
                var now = clock.GetUtcNow();
                await SaveAsync(connection, transaction, train, decisions, now);
                state = decided;

                var next = await TrainStore.NextOpenEffectAsync(connection, transaction, trainId);
                if (next is null)
                {
                    // Nothing to perform: sleep until the engine's next timer, if it set a new one
                    // (an unchanged timer already has its job).
                    var timer = decisions.Count > 0 ? decisions[^1].NextTimerAt : train.NextTimerAt;
                    if (timer is { } at && at != train.NextTimerAt)
                    {
                        newTimer = at;
                    }

                    await transaction.CommitAsync(cancellationToken);
                    if (newTimer is { } wakeAt)
                    {
                        scheduler.Schedule(WorkRequest.RefreshTrain(trainId), wakeAt);
                    }

                    return;
                }

                await TrainStore.ClaimEffectAsync(connection, transaction, next.Id, Runner);
                await transaction.CommitAsync(cancellationToken);
                effect = next;
            }

            await PerformAsync(trainId, state, effect, cancellationToken);
        }
    }

    private async Task PerformAsync(long trainId, TrainState state, OpenEffect effect, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrainEvent> results;
        try
        {
            results = await executor.ExecuteAsync(state, effect.Effect, new EffectAttempt(effect.Attempts + 1, effect.InFlight), cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await TrainStore.RecordEffectErrorAsync(connection, effect.Id, error.Message);
            logger.LogWarning("Effect {EffectKey} of train {TrainId} failed: {Reason}", effect.Effect.Key, trainId, error.Message);
            throw;
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            await TrainStore.CompleteEffectAsync(connection, transaction, effect.Id, results, now);
            foreach (var result in results)
            {
                await TrainStore.AppendEventAsync(connection, transaction, trainId, result, $"effect:{effect.Effect.Key}", now);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        logger.LogDebug("Effect {EffectKey} of train {TrainId} done: {Count} event(s)", effect.Effect.Key, trainId, results.Count);
    }

    /// <summary>Decides the inbox's waiting events (and a due timer) on the locked train.</summary>
    private async Task<(TrainState State, List<Decision> Decisions)> DecidePendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TrainRow train)
    {
        var engine = new TrainEngine(train.Settings);
        var now = clock.GetUtcNow();
        var state = train.State;
        var decisions = new List<Decision>();
        var events = await TrainStore.PendingEventsAsync(connection, transaction, train.Id, EventsPerDecision);
        foreach (var pending in events)
        {
            var decision = await RefusedIfActiveElsewhereAsync(connection, transaction, train.Id, state, engine.Decide(state, pending.Event, now));
            if (decision.Rejection is { } rejection)
            {
                logger.LogInformation("Train {TrainId} refused {Event}: {Reason}", train.Id, pending.Event.GetType().Name, rejection.Message);
                continue;
            }

            // An event that changed nothing (a duplicate, an outdated result, a hook about an MR the
            // train has no business with) costs no write of the state and its projections.
            if (decision.Ignored is not null && decision.Effects.Count == 0 && decision.Audit.Count == 0)
            {
                continue;
            }

            decisions.Add(decision);
            state = decision.State;
        }

        if (train.NextTimerAt is { } timer && timer <= now)
        {
            var decision = engine.Decide(state, new TimerTicked(), now);
            decisions.Add(decision);
            state = decision.State;
        }

        if (events.Count > 0)
        {
            await TrainStore.MarkDecidedAsync(connection, transaction, events.Select(e => e.Id).ToList(), now);
        }

        return (state, decisions);
    }

    /// <summary>
    /// A project has one active car per MR (<c>cars_one_active_per_mr</c>), but a train's engine
    /// sees only its own cars. A car joining this train while its MR rides another target's train
    /// would fail the whole save, and every refresh after it, with a unique violation: the join is
    /// refused here instead, as the engine refuses a second car on its own train. (A retargeted
    /// MR's hook drops the old car first: see the webhook processor.)
    /// </summary>
    private static async Task<Decision> RefusedIfActiveElsewhereAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long trainId, TrainState before, Decision decision)
    {
        if (decision.Rejection is not null)
        {
            return decision;
        }

        var joined = decision.State.Cars.Where(car => !before.Cars.Any(old => old.Iid == car.Iid)).Select(car => car.Iid).ToList();
        if (joined.Count == 0 || await TrainStore.ActiveElsewhereAsync(connection, transaction, before.ProjectId, trainId, joined) is not { } elsewhere)
        {
            return decision;
        }

        var rejection = new Rejection(RejectionKind.Conflict, $"Merge request !{elsewhere.Iid} is already on the merge train of '{elsewhere.TargetBranch}'");
        return new Decision(before, [], [], [], rejection, null, decision.NextTimerAt);
    }

    private static void RecordMetrics(TrainState before, List<Decision> decisions, DateTimeOffset now)
    {
        var tags = new TagList { { "project", before.ProjectPath }, { "target_branch", before.TargetBranch } };
        var (spent, wasted) = PipelineAccounting.Compare(before, decisions[^1].State, now);
        MergeTrainMetrics.PipelineSeconds.Add(spent, tags);
        MergeTrainMetrics.PipelineWastedSeconds.Add(wasted, tags);
        foreach (var car in decisions.SelectMany(d => d.Finished))
        {
            if (car.Status == CarStatus.Merged)
            {
                MergeTrainMetrics.Merges.Add(1, tags);
                MergeTrainMetrics.TimeToMerge.Record(((car.FinishedAt ?? now) - car.AddedAt).TotalSeconds, tags);
            }
            else if (car.DropReason is { } reason)
            {
                var withReason = tags;
                withReason.Add("reason", reason.ToGitLabName());
                MergeTrainMetrics.CarsDropped.Add(1, withReason);
            }
        }

        foreach (var outcome in decisions.SelectMany(d => d.JobRetries))
        {
            MergeTrainMetrics.FlakyJobRetries.Add(1, new TagList { { "project", before.ProjectPath }, { "job", outcome.JobName }, { "outcome", outcome.Outcome } });
        }
    }

    private static async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TrainRow train, List<Decision> decisions, DateTimeOffset now)
    {
        if (decisions.Count == 0)
        {
            return;
        }

        await TrainStore.SaveAsync(
            connection,
            transaction,
            train,
            decisions[^1].State,
            decisions.SelectMany(d => d.Effects).ToList(),
            decisions.SelectMany(d => d.Audit).ToList(),
            decisions.SelectMany(d => d.Finished).ToList(),
            decisions[^1].NextTimerAt,
            now);
        await FlakyJobStore.RecordAsync(connection, transaction, train.State.ProjectId, decisions.SelectMany(d => d.JobRetries).ToList());

        // Counted once the version check passed: a conflicting writer's decisions are not counted twice.
        RecordMetrics(train.State, decisions, now);
    }
}
