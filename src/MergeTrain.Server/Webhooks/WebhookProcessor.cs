using MergeTrain.Core.Trains;
using MergeTrain.Git;
using MergeTrain.GitLab.Api;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Jobs;
using MergeTrain.Server.Trains;
using Npgsql;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// Turns stored deliveries into train events (the webhook drain job): the label or
/// <c>/merge-train</c> comment adds, their removal removes, new commits, close, merge and draft
/// drop, pipeline statuses go to the train that started the pipeline, pushes to a target branch
/// move it. Target heads are read from a fresh fetch, never from the hook, which may be stale.
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
    private const string Command = "/merge-train";
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
                if (train is null || !GitLabNames.TryParsePipelineStatus(pipeline.Status, out var status))
                {
                    return Routed.Nothing($"pipeline {pipeline.PipelineId} is not one of ours");
                }

                return Routed.To(train.Value, $"pipeline {pipeline.PipelineId} {pipeline.Status}",
                    new PipelineStatusChanged(pipeline.PipelineId, pipeline.Sha, pipeline.Ref, status, pipeline.WebUrl));
            case PushHookEvent push when push.Branch is { } branch:
                if (await TrainStore.FindTrainIdAsync(connection, null, project.Id, branch) is not { } pushed)
                {
                    return Routed.Nothing($"push to {branch}, which has no train");
                }

                var head = HeadOf(project, branch);
                return Routed.To(pushed, $"push to {branch}", new TargetBranchMoved(head, push.Actor.Username));
            default:
                return Routed.Nothing(parsed is IgnoredWebhookEvent ignored ? ignored.Reason : "nothing for MergeTrain");
        }
    }

    private async Task<Routed> RouteMergeRequestAsync(NpgsqlConnection connection, ConfiguredProject project, MergeRequestHookEvent e, CancellationToken cancellationToken)
    {
        var actor = e.Actor.Username;
        var snapshot = new MergeRequestSnapshot(e.Iid, e.Title, e.SourceBranch, e.TargetBranch, e.HeadSha, e.Draft, StateOf(e.State));
        var events = new List<TrainEvent>();
        if (e.Action == "merge" || e.State == "merged")
        {
            events.Add(new MergeRequestMerged(e.Iid, e.MergeCommitSha, actor));
        }
        else if (e.Action == "close" || e.State == "closed")
        {
            events.Add(new MergeRequestClosed(e.Iid, actor));
        }
        else
        {
            var label = project.Settings.TrainLabel;
            if (e.LabelsRemoved.Contains(label, StringComparer.Ordinal))
            {
                events.Add(new MergeRequestRemoved(e.Iid, actor));
            }

            if (e.DraftChanged is { Current: true })
            {
                events.Add(new MergeRequestDrafted(e.Iid, actor));
            }

            // New commits drop a car; on an MR off the train, any update refreshes its merged result.
            RequireHead(project, e.Iid, e.HeadSha);
            events.Add(new MergeRequestUpdated(
                e.Action is "unapproved" or "unapproval" && await HasActiveCarAsync(connection, project, e.Iid, cancellationToken)
                    ? snapshot with { FailedCheck = await FailedCheckAsync(project, e.Iid, cancellationToken) }
                    : snapshot,
                e.OldRev, actor));
            // The priority label (a MergeTrain extension) adds with high priority, or raises the
            // priority of the MR's car; the train label added to an MR that carries it adds with high priority too.
            var priorityLabel = project.Settings.PriorityLabel;
            var joins = e.LabelsAdded.Contains(label, StringComparer.Ordinal);
            var high = e.LabelsAdded.Contains(priorityLabel, StringComparer.Ordinal) || joins && e.Labels.Contains(priorityLabel, StringComparer.Ordinal);
            if (high || joins)
            {
                // The hook's own detailed_merge_status may be stale: GitLab's answer now decides.
                var checkedSnapshot = snapshot with { FailedCheck = await FailedCheckAsync(project, e.Iid, cancellationToken) };
                events.Add(new MergeRequestAdded(checkedSnapshot, null, actor)
                {
                    Priority = high ? CarPriority.High : CarPriority.Normal,
                    NoteWhenRefused = true,
                });
            }
        }

        var train = await TrainForAsync(connection, project, e.TargetBranch, actor, events, cancellationToken);
        var record = new MergeRequestRecord(project.Id, e.Iid, e.MergeRequestId, e.Title, e.Description, e.State, e.Url, e.CreatedAt, e.UpdatedAt);
        var user = new GitLabUserRecord(actor, e.Actor.Id ?? 0, e.Actor.Name ?? actor, null, null, null);
        return new Routed([(train, events)], $"MR !{e.Iid} {e.Action ?? "event"}: {string.Join(", ", events.Select(Name))}", record, user)
        {
            DecideFirst = await RetargetedAsync(connection, project, snapshot, actor, cancellationToken),
        };
    }

    private async Task<Routed> RouteNoteAsync(NpgsqlConnection connection, ConfiguredProject project, NoteHookEvent note, CancellationToken cancellationToken)
    {
        var command = note.Note.Split('\n', 2)[0].Trim();
        if (!command.StartsWith(Command, StringComparison.Ordinal) || command.Length > Command.Length && command[Command.Length] != ' ')
        {
            return Routed.Nothing("a comment without /merge-train");
        }

        var actor = note.Actor.Username;
        var argument = command[Command.Length..].Trim();
        TrainEvent trainEvent;
        IReadOnlyList<(long Train, TrainEvent Event)> retargeted = [];
        if (argument == "cancel")
        {
            trainEvent = new MergeRequestRemoved(note.MergeRequest.Iid, actor);
        }
        else if (argument.Length == 0)
        {
            // GitLab's merge checks are not in the note's MR object (which may also lack the head or
            // the draft flag): the MR is read from GitLab.
            var mergeRequest = TrainFacts.Snapshot(await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, note.MergeRequest.Iid, cancellationToken));
            RequireHead(project, mergeRequest.Iid, mergeRequest.HeadSha);
            trainEvent = new MergeRequestAdded(mergeRequest, null, actor) { NoteWhenRefused = true };
            retargeted = await RetargetedAsync(connection, project, mergeRequest, actor, cancellationToken);
        }
        else
        {
            return Routed.Nothing($"unknown /merge-train argument '{argument}'");
        }

        var events = new List<TrainEvent> { trainEvent };
        var train = await TrainForAsync(connection, project, note.MergeRequest.TargetBranch, actor, events, cancellationToken);
        return new Routed([(train, events)], $"comment {command} on MR !{note.MergeRequest.Iid}", null,
            new GitLabUserRecord(actor, note.Actor.Id ?? 0, note.Actor.Name ?? actor, null, null, null))
        {
            DecideFirst = retargeted,
        };
    }

    /// <summary>
    /// When the MR has an active car on the train of another target branch than GitLab now reports,
    /// it was retargeted: that train is told, and drops the car. It is decided at once, in the
    /// delivery's transaction, so the old car is finished before anything adds the MR to its new
    /// target's train (a project has one active car per MR).
    /// </summary>
    private static async Task<IReadOnlyList<(long Train, TrainEvent Event)>> RetargetedAsync(
        NpgsqlConnection connection, ConfiguredProject project, MergeRequestSnapshot mergeRequest, string actor, CancellationToken cancellationToken)
    {
        if (await CarQueries.ForMergeRequestAsync(connection, project.Id, mergeRequest.Iid, cancellationToken) is not { FinishedAt: null } car
            || car.TargetBranch == mergeRequest.TargetBranch
            || await TrainStore.FindTrainIdAsync(connection, null, project.Id, car.TargetBranch) is not { } train)
        {
            return [];
        }

        return [(train, new MergeRequestUpdated(mergeRequest, null, actor))];
    }

    /// <summary>The merge check GitLab says the MR fails now, or null.</summary>
    private async Task<MergeCheck?> FailedCheckAsync(ConfiguredProject project, int iid, CancellationToken cancellationToken) =>
        TrainFacts.Snapshot(await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, iid, cancellationToken)).FailedCheck;

    private static async Task<bool> HasActiveCarAsync(NpgsqlConnection connection, ConfiguredProject project, int iid, CancellationToken cancellationToken) =>
        await CarQueries.ForMergeRequestAsync(connection, project.Id, iid, cancellationToken) is { FinishedAt: null };

    /// <summary>The train of a target branch, created if needed; its head is refreshed first from a fetch.</summary>
    private async Task<long> TrainForAsync(NpgsqlConnection connection, ConfiguredProject project, string targetBranch, string actor, List<TrainEvent> events, CancellationToken cancellationToken)
    {
        var head = HeadOf(project, targetBranch);
        events.Insert(0, new TargetBranchMoved(head, actor));
        return await TrainStore.EnsureTrainAsync(connection, null, project.Id, project.Path, targetBranch, head, clock.GetUtcNow());
    }

    /// <summary>
    /// The train a pipeline on one of our published branches belongs to, read from the branch name.
    /// The runner's first hook can overtake the executor's report of the pipeline it just created,
    /// before the pipelines table knows it; dropping that hook left the car waiting a minute or more
    /// for the poller when a pipeline fails at once (a CI config error). The engine itself matches
    /// such a pipeline by ref and sha.
    /// </summary>
    private async Task<long?> TrainOfPublishedBranchAsync(NpgsqlConnection connection, ConfiguredProject project, string? branch, CancellationToken cancellationToken)
    {
        if (project.Settings.TryParseCarBranch(branch, out var targetBranch, out _))
        {
            return await TrainStore.FindTrainIdAsync(connection, null, project.Id, targetBranch);
        }

        if (PublishedBranches.TryParseMergedResultsBranch(branch, out var iid))
        {
            try
            {
                var mergeRequest = await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, iid, cancellationToken);
                return await TrainStore.FindTrainIdAsync(connection, null, project.Id, mergeRequest.TargetBranch);
            }
            catch (GitLabApiException)
            {
                return null;
            }
        }

        return null;
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

    private static MergeRequestState StateOf(string state) => state switch
    {
        "opened" or "locked" => MergeRequestState.Opened,
        "merged" => MergeRequestState.Merged,
        _ => MergeRequestState.Closed,
    };

    private static string Name(TrainEvent trainEvent) => trainEvent.GetType().Name;

    private sealed record Routed(IReadOnlyList<(long Train, List<TrainEvent> Events)> Trains, string Summary, MergeRequestRecord? MergeRequest, GitLabUserRecord? User)
    {
        /// <summary>Events decided on their trains before the others are submitted (a retargeted MR leaving its old train).</summary>
        public IReadOnlyList<(long Train, TrainEvent Event)> DecideFirst { get; init; } = [];

        public static Routed Nothing(string why) => new([], why, null, null);

        public static Routed To(long train, string summary, TrainEvent trainEvent) => new([(train, [trainEvent])], summary, null, null);

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
