using System.Globalization;

namespace MergeTrain.FakeGitLab;

/// <summary>The timestamp formats GitLab writes: ISO 8601 in the API, Ruby's UTC form in hook attributes.</summary>
internal static class GitLabTime
{
    /// <summary><c>2024-05-01T12:30:00.123Z</c>, as in API responses.</summary>
    public static string Api(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Api(DateTimeOffset? time) => time is { } value ? Api(value) : null;

    /// <summary><c>2024-05-01 12:30:00 UTC</c>, as in webhook <c>object_attributes</c>.</summary>
    public static string Hook(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string? Hook(DateTimeOffset? time) => time is { } value ? Hook(value) : null;

    /// <summary><c>2024-05-01T12:30:00+00:00</c>, as commit timestamps in push hooks.</summary>
    public static string Commit(DateTimeOffset time) =>
        time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
