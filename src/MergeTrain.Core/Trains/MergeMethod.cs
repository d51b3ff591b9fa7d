using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>How a project's merge requests are merged: GitLab's project <c>merge_method</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MergeMethod>))]
public enum MergeMethod
{
    /// <summary><c>merge</c>: a merge commit of the MR head onto the target (the car ahead).</summary>
    [JsonStringEnumMemberName("merge")]
    Merge,

    /// <summary><c>rebase_merge</c>, semi-linear history: the MR's commits rebased onto the target, then a merge commit.</summary>
    [JsonStringEnumMemberName("rebase_merge")]
    RebaseMerge,

    /// <summary><c>ff</c>: the MR's commits rebased onto the target, no merge commit.</summary>
    [JsonStringEnumMemberName("ff")]
    FastForward,
}

/// <summary>Whether MRs are squashed when merged: GitLab's project <c>squash_option</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SquashOption>))]
public enum SquashOption
{
    /// <summary><c>never</c>: never squashed, whatever the MR says.</summary>
    [JsonStringEnumMemberName("never")]
    Never,

    /// <summary><c>default_off</c>: as the MR says; off unless ticked.</summary>
    [JsonStringEnumMemberName("default_off")]
    DefaultOff,

    /// <summary><c>default_on</c>: as the MR says; ticked when the MR is created.</summary>
    [JsonStringEnumMemberName("default_on")]
    DefaultOn,

    /// <summary><c>always</c>: always squashed, whatever the MR says.</summary>
    [JsonStringEnumMemberName("always")]
    Always,
}

/// <summary>GitLab's wire names of <see cref="MergeMethod"/> and <see cref="SquashOption"/>, and GitLab's rule for squashing.</summary>
public static class MergeMethodNames
{
    /// <summary>The GitLab name of a merge method.</summary>
    public static string ToGitLabName(this MergeMethod method) => WireNames.Of(method);

    /// <summary>The GitLab name of a squash option.</summary>
    public static string ToGitLabName(this SquashOption option) => WireNames.Of(option);

    /// <summary>Parses GitLab's <c>merge_method</c>; false for an unknown name.</summary>
    public static bool TryParseMergeMethod(string? name, out MergeMethod method) => WireNames.TryParse(name, out method);

    /// <summary>Parses GitLab's <c>squash_option</c>; false for an unknown name.</summary>
    public static bool TryParseSquashOption(string? name, out SquashOption option) => WireNames.TryParse(name, out option);

    /// <summary>Every merge method name, for error messages.</summary>
    public static IReadOnlyList<string> AllMethods => WireNames.All<MergeMethod>();

    /// <summary>Every squash option name, for error messages.</summary>
    public static IReadOnlyList<string> AllSquashOptions => WireNames.All<SquashOption>();

    /// <summary>Whether an MR is squashed, as GitLab decides it: the project's option, else the MR's own wish.</summary>
    public static bool Squashes(this SquashOption option, bool wish) => option switch
    {
        SquashOption.Never => false,
        SquashOption.Always => true,
        _ => wish,
    };

    /// <summary>Whether the method rewrites the MR's commits (rebases them onto the car ahead).</summary>
    public static bool Rebases(this MergeMethod method) => method != MergeMethod.Merge;

    /// <summary>Whether the method writes a merge commit.</summary>
    public static bool WritesMergeCommit(this MergeMethod method) => method != MergeMethod.FastForward;
}
