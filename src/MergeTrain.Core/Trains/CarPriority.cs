using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>
/// How urgent a car is (a MergeTrain extension; GitLab's merge trains have none). Two levels are
/// enough for "this must not wait for the queue": a high-priority car goes ahead of the normal cars
/// that have not started merging, behind the other high-priority ones, first come first served.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CarPriority>))]
public enum CarPriority
{
    /// <summary>Joins at the end of the train (GitLab's only behaviour); the default, also of states stored before priorities existed.</summary>
    [JsonStringEnumMemberName("normal")]
    Normal,

    /// <summary>Joins behind the last car that is high-priority or merging.</summary>
    [JsonStringEnumMemberName("high")]
    High,
}

/// <summary>The wire names of <see cref="CarPriority"/> (<c>normal</c>, <c>high</c>), for the API, notes and the dashboard.</summary>
public static class CarPriorityNames
{
    /// <summary>The wire name of a priority.</summary>
    public static string ToName(this CarPriority priority) => WireNames.Of(priority);

    // People type it (API field, /merge-train comment), hence the leniency the other names lack.

    /// <summary>Parses a priority name (case-insensitive, surrounding spaces ignored); false for an unknown name.</summary>
    public static bool TryParse(string? name, out CarPriority priority) =>
        WireNames.TryParse(All.FirstOrDefault(known => string.Equals(known, name?.Trim(), StringComparison.OrdinalIgnoreCase)), out priority);

    /// <summary>Every wire name, for error messages.</summary>
    public static IReadOnlyList<string> All => WireNames.All<CarPriority>();
}
