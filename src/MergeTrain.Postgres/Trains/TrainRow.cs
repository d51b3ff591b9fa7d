using MergeTrain.Core.Trains;

namespace MergeTrain.Postgres.Trains;

/// <summary>A train as loaded for processing: its engine state, version and settings.</summary>
/// <param name="Id">The train's row id.</param>
/// <param name="State">The engine's state.</param>
/// <param name="Version">The optimistic-concurrency version the state was read at.</param>
/// <param name="Settings">The project's train settings.</param>
/// <param name="NextTimerAt">When the engine asked to be woken.</param>
public sealed record TrainRow(long Id, TrainState State, long Version, TrainSettings Settings, DateTimeOffset? NextTimerAt);

/// <summary>An event waiting in a train's inbox.</summary>
/// <param name="Id">The inbox row id.</param>
/// <param name="Event">The event.</param>
public sealed record InboxEvent(long Id, TrainEvent Event);

/// <summary>An effect of a train's outbox that is not done yet.</summary>
/// <param name="Id">The outbox row id.</param>
/// <param name="Effect">The effect.</param>
/// <param name="InFlight">True when an attempt started and did not record its outcome.</param>
/// <param name="Attempts">Attempts started so far.</param>
public sealed record OpenEffect(long Id, TrainEffect Effect, bool InFlight, int Attempts);

/// <summary>Another writer changed the train since it was read.</summary>
public sealed class TrainVersionConflictException(long trainId, long version)
    : Exception($"Train {trainId} changed since version {version} was read.");

/// <summary>A pipeline we believe unfinished and have not heard of lately.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="Id">GitLab's pipeline id.</param>
/// <param name="TrainId">The train that started it.</param>
/// <param name="Sha">The commit it runs on.</param>
/// <param name="Ref">The branch it runs on.</param>
/// <param name="Status">Its last known status.</param>
public sealed record QuietPipeline(long ProjectId, long Id, long TrainId, string Sha, string Ref, string Status);
