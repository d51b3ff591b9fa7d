using System.Globalization;

namespace MergeTrain.Core.Trains;

/// <summary>
/// The names of what the service publishes for CI (SPEC section 5), written and read back here only:
/// the engine names the branches it asks to publish, the webhook processing reads the train and MR
/// back out of a pipeline's ref, the git adapter writes the merge ref. Each format sits beside its
/// parser so that the two cannot drift apart.
/// </summary>
public static class PublishedBranches
{
    /// <summary>The default prefix of car branches (<see cref="TrainSettings.CarBranchPrefix"/>).</summary>
    public const string DefaultCarBranchPrefix = "merge-train/";

    /// <summary>The prefix of merged-results branches; not configurable, as in GitLab.</summary>
    public const string MergedResultsPrefix = "merged-results/";

    /// <summary>
    /// The branch a car commit is published on: <c>&lt;prefix&gt;&lt;target&gt;/&lt;iid&gt;</c>. The
    /// target branch may contain slashes itself; the iid is always the last segment.
    /// </summary>
    public static string CarBranch(string prefix, string targetBranch, long iid) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{targetBranch}/{iid}");

    /// <summary>
    /// Reads a branch written by <see cref="CarBranch"/> with <paramref name="prefix"/> back into its
    /// target branch and iid; false for any other branch (another prefix, no iid, an iid not written
    /// as <see cref="CarBranch"/> writes it, such as <c>007</c>).
    /// </summary>
    public static bool TryParseCarBranch(string prefix, string? branch, out string targetBranch, out int iid)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        targetBranch = "";
        iid = 0;
        var lastSlash = branch?.LastIndexOf('/') ?? -1;
        if (branch is null || !branch.StartsWith(prefix, StringComparison.Ordinal) || lastSlash <= prefix.Length
            || !TryParseIid(branch.AsSpan(lastSlash + 1), out iid))
        {
            return false;
        }

        targetBranch = branch[prefix.Length..lastSlash];
        return true;
    }

    /// <summary>The branch a merged-results commit is published on: <c>merged-results/&lt;iid&gt;</c>.</summary>
    public static string MergedResultsBranch(long iid) => string.Create(CultureInfo.InvariantCulture, $"{MergedResultsPrefix}{iid}");

    /// <summary>Reads a branch written by <see cref="MergedResultsBranch"/> back into its iid; false for any other branch.</summary>
    public static bool TryParseMergedResultsBranch(string? branch, out int iid)
    {
        iid = 0;
        return branch is not null && branch.StartsWith(MergedResultsPrefix, StringComparison.Ordinal)
            && TryParseIid(branch.AsSpan(MergedResultsPrefix.Length), out iid);
    }

    /// <summary>
    /// The ref in the service's own repository that holds an MR's car commit or merged-results commit
    /// until it is published (GitLab's own name for an MR's merge result).
    /// </summary>
    public static string MergeRef(long iid) => string.Create(CultureInfo.InvariantCulture, $"refs/merge-requests/{iid}/merge");

    // Only the digits the formats above write: no sign, no leading zero, so that a parsed name
    // formats back to itself and two names never mean the same car.
    private static bool TryParseIid(ReadOnlySpan<char> text, out int iid)
    {
        iid = 0;
        return text.Length > 0 && (text[0] != '0' || text.Length == 1)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out iid);
    }
}
