namespace MergeTrain.Core.Trains;

/// <summary>How a project's merge requests are merged: GitLab's project <c>merge_method</c>.</summary>
public enum MergeMethod
{
    /// <summary><c>merge</c>: a merge commit of the MR head onto the target (the car ahead).</summary>
    Merge,

    /// <summary><c>rebase_merge</c>, semi-linear history: the MR's commits rebased onto the target, then a merge commit.</summary>
    RebaseMerge,

    /// <summary><c>ff</c>: the MR's commits rebased onto the target, no merge commit.</summary>
    FastForward,
}

/// <summary>Whether MRs are squashed when merged: GitLab's project <c>squash_option</c>.</summary>
public enum SquashOption
{
    /// <summary><c>never</c>: never squashed, whatever the MR says.</summary>
    Never,

    /// <summary><c>default_off</c>: as the MR says; off unless ticked.</summary>
    DefaultOff,

    /// <summary><c>default_on</c>: as the MR says; ticked when the MR is created.</summary>
    DefaultOn,

    /// <summary><c>always</c>: always squashed, whatever the MR says.</summary>
    Always,
}

/// <summary>GitLab's wire names of <see cref="MergeMethod"/> and <see cref="SquashOption"/>, and GitLab's rule for squashing.</summary>
public static class MergeMethodNames
{
    private static readonly string[] Methods = ["merge", "rebase_merge", "ff"];
    private static readonly string[] SquashOptions = ["never", "default_off", "default_on", "always"];

    /// <summary>The GitLab name of a merge method.</summary>
    public static string ToGitLabName(this MergeMethod method) => Methods[(int)method];

    /// <summary>The GitLab name of a squash option.</summary>
    public static string ToGitLabName(this SquashOption option) => SquashOptions[(int)option];

    /// <summary>Parses GitLab's <c>merge_method</c>; false for an unknown name.</summary>
    public static bool TryParseMergeMethod(string? name, out MergeMethod method)
    {
        var index = Array.IndexOf(Methods, name);
        method = index < 0 ? default : (MergeMethod)index;
        return index >= 0;
    }

    /// <summary>Parses GitLab's <c>squash_option</c>; false for an unknown name.</summary>
    public static bool TryParseSquashOption(string? name, out SquashOption option)
    {
        var index = Array.IndexOf(SquashOptions, name);
        option = index < 0 ? default : (SquashOption)index;
        return index >= 0;
    }

    /// <summary>Every merge method name, for error messages.</summary>
    public static IReadOnlyList<string> AllMethods => Methods;

    /// <summary>Every squash option name, for error messages.</summary>
    public static IReadOnlyList<string> AllSquashOptions => SquashOptions;

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
