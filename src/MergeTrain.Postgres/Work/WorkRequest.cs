namespace MergeTrain.Postgres.Work;

/// <summary>
/// A piece of background work that is wanted: one row of <c>work_requests</c>, and the Hangfire
/// job that acts on it. Asking twice for the same work while it waits costs nothing more.
/// </summary>
/// <param name="Kind">What to do; also the advisory lock namespace. Stored: do not rename.</param>
/// <param name="Key">Which train or project.</param>
public sealed record WorkRequest(string Kind, long Key)
{
    /// <summary>Kind of <see cref="RefreshTrain"/>.</summary>
    public const string RefreshTrainKind = "refresh_train";

    /// <summary>Kind of <see cref="DrainWebhooks"/>.</summary>
    public const string DrainWebhooksKind = "drain_webhooks";

    /// <summary>Decide a train's waiting events and perform its effects.</summary>
    public static WorkRequest RefreshTrain(long trainId) => new(RefreshTrainKind, trainId);

    /// <summary>Process a project's stored webhook deliveries in arrival order.</summary>
    public static WorkRequest DrainWebhooks(long projectId) => new(DrainWebhooksKind, projectId);

    /// <summary>
    /// The 64-bit advisory lock that makes one run of this work at a time, across instances: the
    /// kind's namespace in the high 16 bits, the key below. Two kinds never share a lock.
    /// </summary>
    public long LockKey => (Kind switch
    {
        RefreshTrainKind => 0x4D54_5254L, // "MTRT"
        DrainWebhooksKind => 0x4D54_5748L, // "MTWH"
        _ => throw new InvalidOperationException($"Unknown work kind '{Kind}'."),
    } << 32) ^ Key;

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}:{Key}";
}
