namespace MergeTrain.GitLab.Api;

/// <summary>When a failed call may be sent again.</summary>
internal enum Repeat
{
    /// <summary>Reads, and calls whose repetition changes nothing (cancel, commit status).</summary>
    Always,

    /// <summary>Calls that create something: only when GitLab cannot have acted on the first.</summary>
    OnlyIfNotReceived,
}
