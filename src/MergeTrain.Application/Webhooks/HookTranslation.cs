using MergeTrain.Core.Trains;

namespace MergeTrain.Application.Webhooks;

/// <summary>
/// What one hook means for the trains (<see cref="WebhookTranslator"/>): the events for each train,
/// those to decide at once before them, and the line the delivery is recorded with.
/// </summary>
/// <param name="Trains">Events submitted to their trains' inboxes, in this order.</param>
/// <param name="DecideFirst">Events decided at once, in the delivery's transaction, before the others (a retargeted MR leaving its old train).</param>
/// <param name="Summary">What the delivery did, for the Webhooks page.</param>
public sealed record HookTranslation(IReadOnlyList<TrainEvents> Trains, IReadOnlyList<TrainEvents> DecideFirst, string Summary)
{
    /// <summary>A hook that means nothing to any train, and why.</summary>
    public static HookTranslation Nothing(string why) => new([], [], why);

    /// <summary>One event for one train that exists.</summary>
    public static HookTranslation To(long trainId, string summary, TrainEvent trainEvent) => new([TrainEvents.Of(trainId, trainEvent)], [], summary);
}

/// <summary>
/// Events for one train: the one with <see cref="TrainId"/>, or else the train of
/// <see cref="TargetBranch"/>, created at <see cref="Head"/> when there is none yet.
/// </summary>
/// <param name="TrainId">The train, when the hook's facts named it.</param>
/// <param name="TargetBranch">The target branch whose train gets the events, created if needed; null with a <paramref name="TrainId"/>.</param>
/// <param name="Head">The target branch's head in our copy, for a train created now.</param>
/// <param name="Events">The events, in the order they are submitted.</param>
public sealed record TrainEvents(long? TrainId, string? TargetBranch, string? Head, IReadOnlyList<TrainEvent> Events)
{
    /// <summary>Events for the train with id <paramref name="trainId"/>.</summary>
    public static TrainEvents Of(long trainId, params TrainEvent[] events) => new(trainId, null, null, events);
}

/// <summary>The MR's active car, as the database knows it: on the train of <paramref name="TargetBranch"/> (id <paramref name="TrainId"/>, if that train exists).</summary>
/// <param name="TargetBranch">The target branch of the car's train.</param>
/// <param name="TrainId">That train's id; null when no such train exists any more.</param>
/// <param name="HeadSha">The MR head the car was pinned on, when known.</param>
public sealed record ActiveCar(string TargetBranch, long? TrainId, string? HeadSha = null);
