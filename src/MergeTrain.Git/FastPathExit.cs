namespace MergeTrain.Git;

/// <summary>Why a merge left the in-process fast path for <c>git merge-tree</c>; reported so that a replay can say where the time goes.</summary>
public enum FastPathExit
{
    /// <summary>The merge stayed on the fast path.</summary>
    None,

    /// <summary>More than one merge base: git merges the bases first (a criss-cross history).</summary>
    CrissCross,

    /// <summary>A directory one side removed entirely and the other changed: a directory rename could move the other side's changes.</summary>
    DirectoryRename,

    /// <summary>An identical change on both sides that adds or removes paths, which may be half of a rename.</summary>
    SameChangeMayBeRename,

    /// <summary>A path changed on both sides that is not a plain file or directory on all of them (modify/delete, add/add, file/directory, symlink, submodule).</summary>
    NotMergeableEntry,

    /// <summary>The repository renormalizes on merge and a file needing a content merge lies under a <c>.gitattributes</c>.</summary>
    Renormalize,
}
