using MergeTrain.Application.Configuration;
using MergeTrain.Application.Jobs;
using MergeTrain.Application.Repositories;
using MergeTrain.Application.Trains;
using MergeTrain.Application.Trains.Queries;
using MergeTrain.Core.Trains;
using MergeTrain.Git;
using MergeTrain.GitLab.Api;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Application.Webhooks;

/// <summary>
/// Processes stored deliveries (the webhook drain job): for each hook it gathers what
/// <see cref="WebhookTranslator"/> needs to know (our copy's heads, the MR's active car, GitLab's
/// answer now), lets it say which events go to which train, and submits them with the delivery's
/// record in one transaction. Target heads are read from a fresh fetch, never from the hook, which may be stale.
/// </summary>
public sealed class WebhookProcessor(
    NpgsqlDataSource dataSource,
    ProjectCatalog projects,
    ProjectRepositories repositories,
    IGitLabApi gitLab,
    TrainProcessor processor,
    ExclusiveWork exclusive,
    TimeProvider clock,
    ILogger<WebhookProcessor> logger)
{
    private const int Batch = 100;

    /// <summary>
    /// Processes a project's pending deliveries in arrival order, so that hooks about one MR are
    /// decided in the order GitLab sent them; one run per project at a time, and a burst costs one
    /// run, not one per delivery.
    /// </summary>
    public async Task DrainAsync(long projectId, CancellationToken cancellationToken)
    {
        if (projects.Find(projectId) is not { } project)
        {
            throw new PermanentJobFailureException($"Project {projectId} is no longer configured.");
        }

        await exclusive.RunAsync(WorkRequest.DrainWebhooks(projectId), token => DrainPendingAsync(project, token), cancellationToken);
    }

    private async Task DrainPendingAsync(ConfiguredProject project, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        IReadOnlyList<(long Id, string? EventKind, string Body)> pending;
        while ((pending = await WebhookDeliveryStore.PendingAsync(connection, project.Id, Batch, cancellationToken)).Count > 0)
        {
            // One fetch for the batch, started after every delivery in it was received: it sees
            // whatever they report. Pipeline hooks alone need none.
            if (pending.Any(delivery => delivery.EventKind != GitLabEventNames.Pipeline))
            {
                await repositories.FetchAsync(project).WaitAsync(cancellationToken);
            }

            foreach (var delivery in pending)
            {
                await ProcessAsync(connection, project, delivery.Id, delivery.EventKind, delivery.Body, cancellationToken);
            }
        }
    }

    private async Task ProcessAsync(NpgsqlConnection connection, ConfiguredProject project, long deliveryId, string? eventKind, string body, CancellationToken cancellationToken)
    {
        Routed routed;
        string eventName;
        try
        {
            var parsed = GitLabWebhookParser.Parse(eventKind, body);
            eventName = parsed.EventName;
            routed = await RouteAsync(connection, project, parsed, cancellationToken);
        }
        catch (Exception error) when (error is not (OperationCanceledException or NpgsqlException or GitLabUnavailableException or GitRemoteException))
        {
            // Retrying cannot fix these (a payload we cannot use, GitLab refusing, a name git
            // refuses): recorded as failed with the reason, so the deliveries behind it are not
            // held up. What may pass (database, GitLab or the remote unreachable) fails the drain
            // for its retry, since every delivery behind would fail the same way.
            await WebhookDeliveryStore.MarkFailedAsync(connection, deliveryId, error.Message, clock.GetUtcNow());
            logger.LogWarning("Webhook delivery {DeliveryId} could not be processed: {Reason}", deliveryId, error.Message);
            return;
        }

        var wakeups = new Wakeups();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var (train, trainEvent) in routed.DecideFirst)
            {
                await processor.DecideNowAsync(connection, transaction, train, [trainEvent], wakeups, cancellationToken);
            }

            foreach (var (train, events) in routed.Trains)
            {
                foreach (var trainEvent in events)
                {
                    await processor.SubmitAsync(connection, transaction, train, trainEvent, $"webhook:{deliveryId}", wakeups);
                }
            }

            await routed.RememberAsync(connection, transaction, clock.GetUtcNow());
            await WebhookDeliveryStore.MarkProcessedAsync(connection, transaction, deliveryId, routed.Summary, clock.GetUtcNow());
            await transaction.CommitAsync(cancellationToken);
        }

        processor.Wake(wakeups);
        logger.LogInformation("Webhook delivery {DeliveryId} ({Event}): {Summary}", deliveryId, eventName, routed.Summary);
    }

    private async Task<Routed> RouteAsync(NpgsqlConnection connection, ConfiguredProject project, GitLabWebhookEvent parsed, CancellationToken cancellationToken)
    {
        switch (parsed)
        {
            case MergeRequestHookEvent mergeRequest:
                return await RouteMergeRequestAsync(connection, project, mergeRequest, cancellationToken);
            case NoteHookEvent note:
                return await RouteNoteAsync(connection, project, note, cancellationToken);
            case PipelineHookEvent pipeline:
                var train = await TrainStore.FindTrainByPipelineAsync(connection, project.Id, pipeline.PipelineId, pipeline.Ref, pipeline.Sha)
                    ?? await TrainOfPublishedBranchAsync(connection, project, pipeline.Ref, cancellationToken);
                return await ResolveAsync(connection, project, WebhookTranslator.Pipeline(pipeline, train), null, null);
            case PushHookEvent push when push.Branch is { } branch:
                var pushed = await TrainStore.FindTrainIdAsync(connection, null, project.Id, branch);
                return await ResolveAsync(connection, project, WebhookTranslator.Push(push, branch, pushed, pushed is null ? null : HeadOf(project, branch)), null, null);
            default:
                return Routed.Nothing(parsed is IgnoredWebhookEvent ignored ? ignored.Reason : "nothing for MergeTrain");
        }
    }

    private async Task<Routed> RouteMergeRequestAsync(NpgsqlConnection connection, ConfiguredProject project, MergeRequestHookEvent e, CancellationToken cancellationToken)
    {
        if (WebhookTranslator.HeadToCheck(e) is { } head)
        {
            RequireHead(project, e.Iid, head);
        }

        var activeCar = await ActiveCarAsync(connection, project, e.Iid, cancellationToken);
        var needsCheck = WebhookTranslator.NeedsMergeCheck(e, project.Settings, activeCar is not null);
        var needsHead = WebhookTranslator.NeedsCurrentHead(e, activeCar);

        // One read of the MR from GitLab serves both facts.
        var now = needsCheck || needsHead
            ? TrainFacts.Snapshot(await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, e.Iid, cancellationToken))
            : null;
        var translation = WebhookTranslator.MergeRequest(
            e, project.Settings, HeadOf(project, e.TargetBranch), activeCar, needsCheck ? now!.FailedCheck : null, needsHead ? CurrentHead(e, activeCar!, now!) : null);
        var actor = e.Actor.Username;
        var record = new MergeRequestRecord(project.Id, e.Iid, e.MergeRequestId, e.Title, e.Description, e.State, e.Url, e.CreatedAt, e.UpdatedAt);
        var user = new GitLabUserRecord(actor, e.Actor.Id ?? 0, e.Actor.Name ?? actor, null, null, null);
        return await ResolveAsync(connection, project, translation, record, user);
    }

    private async Task<Routed> RouteNoteAsync(NpgsqlConnection connection, ConfiguredProject project, NoteHookEvent note, CancellationToken cancellationToken)
    {
        var command = MergeTrainComment.Parse(note.Note);
        if (command is null or MergeTrainComment.Unknown)
        {
            return Routed.Nothing(WebhookTranslator.Note(note, command, null, null, null).Summary);
        }

        MergeRequestSnapshot? mergeRequest = null;
        ActiveCar? activeCar = null;
        if (command is MergeTrainComment.Add)
        {
            // GitLab's merge checks are not in the note's MR object (which may also lack the head or
            // the draft flag): the MR is read from GitLab.
            mergeRequest = TrainFacts.Snapshot(await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, note.MergeRequest.Iid, cancellationToken));
            RequireHead(project, mergeRequest.Iid, mergeRequest.HeadSha);
            activeCar = await ActiveCarAsync(connection, project, mergeRequest.Iid, cancellationToken);
        }

        var translation = WebhookTranslator.Note(note, command, HeadOf(project, note.MergeRequest.TargetBranch), mergeRequest, activeCar);
        var actor = note.Actor.Username;
        return await ResolveAsync(connection, project, translation, null, new GitLabUserRecord(actor, note.Actor.Id ?? 0, note.Actor.Name ?? actor, null, null, null));
    }

    /// <summary>The trains a translation names, the train of a target branch created if needed (at its head in our copy).</summary>
    private async Task<Routed> ResolveAsync(NpgsqlConnection connection, ConfiguredProject project, HookTranslation translation, MergeRequestRecord? mergeRequest, GitLabUserRecord? user)
    {
        var trains = new List<(long Train, IReadOnlyList<TrainEvent> Events)>();
        foreach (var target in translation.Trains)
        {
            var train = target.TrainId
                ?? await TrainStore.EnsureTrainAsync(connection, null, project.Id, project.Path, target.TargetBranch!, target.Head, clock.GetUtcNow());
            trains.Add((train, target.Events));
        }

        return new Routed(trains, translation.Summary, mergeRequest, user)
        {
            DecideFirst = translation.DecideFirst.SelectMany(first => first.Events.Select(e => (first.TrainId!.Value, e))).ToList(),
        };
    }

    /// <summary>The MR's active car and the id of its train, or null.</summary>
    private static async Task<ActiveCar?> ActiveCarAsync(NpgsqlConnection connection, ConfiguredProject project, int iid, CancellationToken cancellationToken) =>
        await CarQueries.ForMergeRequestAsync(connection, project.Id, iid, cancellationToken) is { FinishedAt: null } car
            ? new ActiveCar(car.TargetBranch, await TrainStore.FindTrainIdAsync(connection, null, project.Id, car.TargetBranch), CarJson.CarOf(car).HeadSha)
            : null;

    /// <summary>
    /// The MR's head as GitLab gives it now, when that is the car's (the hook is older than the car);
    /// null otherwise: a head the car does not hold is news either way, and the hook's own is in our copy.
    /// </summary>
    private string? CurrentHead(MergeRequestHookEvent e, ActiveCar activeCar, MergeRequestSnapshot now)
    {
        if (now.HeadSha != activeCar.HeadSha)
        {
            return null;
        }

        logger.LogInformation("MR !{Iid}: the hook names head {HookHead}, older than its car's {CarHead}, which GitLab says is current", e.Iid, e.HeadSha, now.HeadSha);
        return now.HeadSha;
    }

    /// <summary>
    /// The train a pipeline on one of our published branches belongs to, read from the branch name
    /// (<see cref="WebhookTranslator.ReadPublishedBranch"/>); a merged result's MR is asked for its target.
    /// </summary>
    private async Task<long?> TrainOfPublishedBranchAsync(NpgsqlConnection connection, ConfiguredProject project, string? branch, CancellationToken cancellationToken)
    {
        switch (WebhookTranslator.ReadPublishedBranch(branch, project.Settings))
        {
            case { CarTarget: { } target }:
                return await TrainStore.FindTrainIdAsync(connection, null, project.Id, target);
            case { MergedResultsIid: { } iid }:
                try
                {
                    var mergeRequest = await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, iid, cancellationToken);
                    return await TrainStore.FindTrainIdAsync(connection, null, project.Id, mergeRequest.TargetBranch);
                }
                catch (GitLabApiException)
                {
                    return null;
                }

            default:
                return null;
        }
    }

    /// <summary>
    /// The MR head a hook names must be in our copy, which the drain fetched after the delivery
    /// arrived (MR heads included). One that is not (a hook about a commit GitLab never had, or no
    /// longer has) could only fail every build of its car, retried for hours in front of the cars
    /// behind it: the delivery fails here instead, with the reason, and nothing reaches the train.
    /// </summary>
    private void RequireHead(ConfiguredProject project, int iid, string headSha)
    {
        if (!repositories.For(project).HasCommit(headSha))
        {
            throw new InvalidOperationException($"MR !{iid}'s head commit '{headSha}' is not in the repository, even fetched after the hook arrived.");
        }
    }

    /// <summary>The branch's head in our copy, which the drain fetched after the delivery arrived.</summary>
    private string? HeadOf(ConfiguredProject project, string branch) => repositories.For(project).ResolveBranch(branch);

    private sealed record Routed(IReadOnlyList<(long Train, IReadOnlyList<TrainEvent> Events)> Trains, string Summary, MergeRequestRecord? MergeRequest, GitLabUserRecord? User)
    {
        /// <summary>Events decided on their trains before the others are submitted (a retargeted MR leaving its old train).</summary>
        public IReadOnlyList<(long Train, TrainEvent Event)> DecideFirst { get; init; } = [];

        public static Routed Nothing(string why) => new([], why, null, null);

        public async Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
        {
            if (MergeRequest is not null)
            {
                await CarQueries.RememberMergeRequestAsync(connection, transaction, MergeRequest, now);
            }

            if (User is not null)
            {
                await CarQueries.RememberUserAsync(connection, transaction, User, now);
            }
        }
    }
}
