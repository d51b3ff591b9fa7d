using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Webhooks;

namespace MergeTrain.Application.Webhooks;

/// <summary>
/// Where a GitLab hook becomes engine events. Pure: it reads the parsed hook and the facts the
/// <see cref="WebhookProcessor"/> gathered for it (our copy's heads, the MR's active car, GitLab's
/// answer now), and says which events go to which train. The label or <c>/merge-train</c> comment
/// adds, their removal removes, new commits, close, merge and draft drop, pipeline statuses go to
/// the train that started the pipeline, pushes to a target branch move it.
/// </summary>
public static class WebhookTranslator
{
    /// <summary>
    /// The commit the MR hook names that must be in our copy before anything reaches a train, or
    /// null when the hook closes or merges the MR (its head no longer matters).
    /// </summary>
    public static string? HeadToCheck(MergeRequestHookEvent hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return EndsMergeRequest(hook) ? null : hook.HeadSha;
    }

    /// <summary>
    /// Whether the MR's head must be read from GitLab now: the hook names another head than the one
    /// its car was pinned on. A hook delivered late (an older push, processed after the MR was added
    /// at its newer head) would otherwise drop the car for an update it already holds.
    /// </summary>
    public static bool NeedsCurrentHead(MergeRequestHookEvent hook, ActiveCar? activeCar)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return !EndsMergeRequest(hook) && activeCar?.HeadSha is { } pinned && pinned != hook.HeadSha;
    }

    /// <summary>
    /// Whether the MR's failing merge check must be read from GitLab now (the hook's own
    /// <c>detailed_merge_status</c> may be stale): when the hook adds it to a train or raises its
    /// priority, or withdraws an approval from an MR with an active car.
    /// </summary>
    public static bool NeedsMergeCheck(MergeRequestHookEvent hook, TrainSettings settings, bool hasActiveCar)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(settings);
        if (EndsMergeRequest(hook))
        {
            return false;
        }

        var (joins, high) = Joins(hook, settings);
        return joins || high || Unapproves(hook) && hasActiveCar;
    }

    /// <summary>
    /// The events of a merge request hook, for the train of its target branch (whose head in our copy
    /// is <paramref name="targetHead"/>): first the target's head, then what the hook says.
    /// </summary>
    /// <param name="hook">The hook.</param>
    /// <param name="settings">The project's train settings (its labels).</param>
    /// <param name="targetHead">The target branch's head in our copy, fetched after the hook arrived.</param>
    /// <param name="activeCar">The MR's active car, or null.</param>
    /// <param name="failedCheck">GitLab's failing merge check now, read when <see cref="NeedsMergeCheck"/> said so.</param>
    /// <param name="currentHead">
    /// The MR's head as GitLab gives it now, read when the hook names another head than the car's
    /// (<see cref="NeedsCurrentHead"/>); it stands for the hook's, which may be older than the car.
    /// </param>
    public static HookTranslation MergeRequest(MergeRequestHookEvent hook, TrainSettings settings, string? targetHead, ActiveCar? activeCar, MergeCheck? failedCheck, string? currentHead = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(settings);
        var actor = hook.Actor.Username;
        var snapshot = new MergeRequestSnapshot(hook.Iid, hook.Title, hook.SourceBranch, hook.TargetBranch, currentHead ?? hook.HeadSha, hook.Draft, StateOf(hook.State));
        var events = new List<TrainEvent> { new TargetBranchMoved(targetHead, actor) };
        if (hook.Action == "merge" || hook.State == "merged")
        {
            events.Add(new MergeRequestMerged(hook.Iid, hook.MergeCommitSha, actor));
        }
        else if (hook.Action == "close" || hook.State == "closed")
        {
            events.Add(new MergeRequestClosed(hook.Iid, actor));
        }
        else
        {
            if (hook.LabelsRemoved.Contains(settings.TrainLabel, StringComparer.Ordinal))
            {
                events.Add(new MergeRequestRemoved(hook.Iid, actor));
            }

            if (hook.DraftChanged is { Current: true })
            {
                events.Add(new MergeRequestDrafted(hook.Iid, actor));
            }

            // New commits drop a car; on an MR off the train, any update refreshes its merged result.
            events.Add(new MergeRequestUpdated(Unapproves(hook) && activeCar is not null ? snapshot with { FailedCheck = failedCheck } : snapshot, hook.OldRev, actor));

            // The priority label (a MergeTrain extension) adds with high priority, or raises the
            // priority of the MR's car; the train label added to an MR that carries it adds with high priority too.
            var (joins, high) = Joins(hook, settings);
            if (high || joins)
            {
                events.Add(new MergeRequestAdded(snapshot with { FailedCheck = failedCheck }, null, actor)
                {
                    Priority = high ? CarPriority.High : CarPriority.Normal,
                    NoteWhenRefused = true,
                });
            }
        }

        return new HookTranslation(
            [new TrainEvents(null, hook.TargetBranch, targetHead, events)],
            Retargeted(snapshot, activeCar, actor),
            $"MR !{hook.Iid} {hook.Action ?? "event"}: {string.Join(", ", events.Select(Name))}");
    }

    /// <summary>
    /// The events of a <c>/merge-train</c> comment, for the train of the MR's target branch.
    /// </summary>
    /// <param name="note">The comment's hook.</param>
    /// <param name="command">The parsed command (<see cref="MergeTrainComment.Parse"/>); null when the comment is none.</param>
    /// <param name="targetHead">The target branch's head in our copy.</param>
    /// <param name="mergeRequest">The MR as GitLab reports it now, with its failing merge check (needed to add it: the note's MR object has neither the checks nor always the head).</param>
    /// <param name="activeCar">The MR's active car, or null.</param>
    public static HookTranslation Note(NoteHookEvent note, MergeTrainComment? command, string? targetHead, MergeRequestSnapshot? mergeRequest, ActiveCar? activeCar)
    {
        ArgumentNullException.ThrowIfNull(note);
        var actor = note.Actor.Username;
        TrainEvent trainEvent;
        IReadOnlyList<TrainEvents> retargeted = [];
        switch (command)
        {
            case null:
                return HookTranslation.Nothing($"a comment without {MergeTrainComment.Command}");
            case MergeTrainComment.Unknown unknown:
                return HookTranslation.Nothing($"unknown {MergeTrainComment.Command} argument '{unknown.Argument}'");
            case MergeTrainComment.Cancel:
                trainEvent = new MergeRequestRemoved(note.MergeRequest.Iid, actor);
                break;
            default:
                var current = mergeRequest ?? throw new ArgumentNullException(nameof(mergeRequest), "Adding from a comment needs the MR as GitLab reports it.");
                trainEvent = new MergeRequestAdded(current, null, actor) { NoteWhenRefused = true };
                retargeted = Retargeted(current, activeCar, actor);
                break;
        }

        return new HookTranslation(
            [new TrainEvents(null, note.MergeRequest.TargetBranch, targetHead, [new TargetBranchMoved(targetHead, actor), trainEvent])],
            retargeted,
            $"comment {command.Line} on MR !{note.MergeRequest.Iid}");
    }

    /// <summary>A pipeline's new status, for <paramref name="trainId"/>: the train that started it, or of the published branch it ran on; nothing when there is none.</summary>
    public static HookTranslation Pipeline(PipelineHookEvent pipeline, long? trainId)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (trainId is not { } train || !GitLabNames.TryParsePipelineStatus(pipeline.Status, out var status))
        {
            return HookTranslation.Nothing($"pipeline {pipeline.PipelineId} is not one of ours");
        }

        return HookTranslation.To(train, $"pipeline {pipeline.PipelineId} {pipeline.Status}",
            new PipelineStatusChanged(pipeline.PipelineId, pipeline.Sha, pipeline.Ref, status, pipeline.WebUrl));
    }

    /// <summary>A push to <paramref name="branch"/>: its train (<paramref name="trainId"/>, if it has one) learns the head in our copy.</summary>
    public static HookTranslation Push(PushHookEvent push, string branch, long? trainId, string? head)
    {
        ArgumentNullException.ThrowIfNull(push);
        return trainId is { } train
            ? HookTranslation.To(train, $"push to {branch}", new TargetBranchMoved(head, push.Actor.Username))
            : HookTranslation.Nothing($"push to {branch}, which has no train");
    }

    /// <summary>
    /// What a pipeline's ref says about the train it belongs to, when it is one of our published
    /// branches: a car's branch names its target; a merged-results branch names its MR. The runner's
    /// first hook can overtake the executor's report of the pipeline it just created, before the
    /// pipelines table knows it; the engine itself matches such a pipeline by ref and sha.
    /// </summary>
    public static PublishedBranch? ReadPublishedBranch(string? branch, TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.TryParseCarBranch(branch, out var targetBranch, out _))
        {
            return new PublishedBranch(targetBranch, null);
        }

        return PublishedBranches.TryParseMergedResultsBranch(branch, out var iid) ? new PublishedBranch(null, iid) : null;
    }

    /// <summary>
    /// When the MR has an active car on the train of another target branch than it now has, it was
    /// retargeted: that train is told, and drops the car, before anything adds the MR to its new
    /// target's train (a project has one active car per MR).
    /// </summary>
    private static IReadOnlyList<TrainEvents> Retargeted(MergeRequestSnapshot mergeRequest, ActiveCar? activeCar, string actor) =>
        activeCar is { TrainId: { } train } && activeCar.TargetBranch != mergeRequest.TargetBranch
            ? [TrainEvents.Of(train, new MergeRequestUpdated(mergeRequest, null, actor))]
            : [];

    private static bool EndsMergeRequest(MergeRequestHookEvent hook) =>
        hook.Action is "merge" or "close" || hook.State is "merged" or "closed";

    private static bool Unapproves(MergeRequestHookEvent hook) => hook.Action is "unapproved" or "unapproval";

    private static (bool Joins, bool High) Joins(MergeRequestHookEvent hook, TrainSettings settings)
    {
        var joins = hook.LabelsAdded.Contains(settings.TrainLabel, StringComparer.Ordinal);
        var high = hook.LabelsAdded.Contains(settings.PriorityLabel, StringComparer.Ordinal)
            || joins && hook.Labels.Contains(settings.PriorityLabel, StringComparer.Ordinal);
        return (joins, high);
    }

    private static MergeRequestState StateOf(string state) => state switch
    {
        "opened" or "locked" => MergeRequestState.Opened,
        "merged" => MergeRequestState.Merged,
        _ => MergeRequestState.Closed,
    };

    private static string Name(TrainEvent trainEvent) => trainEvent.GetType().Name;
}

/// <summary>One of our published branches, read from its name: a car's (<paramref name="CarTarget"/>) or a merged result's (<paramref name="MergedResultsIid"/>).</summary>
/// <param name="CarTarget">The target branch of the car whose branch it is.</param>
/// <param name="MergedResultsIid">The MR whose merged result it is.</param>
public sealed record PublishedBranch(string? CarTarget, int? MergedResultsIid);
