namespace MergeTrain.Postgres.Dashboard;

/// <summary>
/// What became of a webhook delivery, as the dashboard tells it: the stored outcome, with an
/// accepted delivery told apart by whether it was processed and whether processing failed.
/// </summary>
public static class DeliveryStatus
{
    /// <summary>Accepted and processed.</summary>
    public const string Accepted = "accepted";

    /// <summary>Accepted, waiting for its drain job.</summary>
    public const string Pending = "pending";

    /// <summary>Accepted, and processing it failed for good (the reason is its detail).</summary>
    public const string Failed = "failed";

    /// <summary>A redelivery of an accepted delivery.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Refused at the door (bad token, malformed).</summary>
    public const string Rejected = "rejected";

    /// <summary>Every status, in the order the dashboard offers them as filters.</summary>
    public static IReadOnlyList<string> All { get; } = [Accepted, Pending, Failed, Duplicate, Rejected];
}
