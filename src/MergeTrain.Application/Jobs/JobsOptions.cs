namespace MergeTrain.Application.Jobs;

/// <summary>The <c>MergeTrain:Jobs</c> section: this instance's Hangfire server and the sweeper.</summary>
public sealed class JobsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MergeTrain:Jobs";

    /// <summary>How many jobs this instance runs at once (Hangfire's worker count).</summary>
    public int Concurrency { get; set; } = 10;

    /// <summary>How often the sweeper looks for work left without a job.</summary>
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each instance looks for work whose run died with its process (its advisory lock
    /// released) and enqueues it: the bound on how long a dead instance's trains wait for another.
    /// </summary>
    public TimeSpan TakeoverEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Work asked for this long ago and not taken since counts as left without a job.</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(10);
}
