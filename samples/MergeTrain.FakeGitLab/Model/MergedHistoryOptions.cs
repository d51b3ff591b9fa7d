namespace MergeTrain.FakeGitLab;

/// <summary>
/// The shape of a generated history of merged MRs (<see cref="FakeGitLab.GenerateMergedHistory"/>):
/// how many, over how long before now, and how their pipelines behaved.
/// </summary>
public sealed record MergedHistoryOptions
{
    /// <summary>How many merged MRs, spread uniformly over <see cref="Span"/>.</summary>
    public int Count { get; init; } = 300;

    /// <summary>How far back the first MR was created; the last is created a few hours before now.</summary>
    public TimeSpan Span { get; init; } = TimeSpan.FromDays(28);

    /// <summary>The share of MRs whose first pipeline failed and that were fixed by a new commit.</summary>
    public double BadShare { get; init; } = 0.08;

    /// <summary>The share of MRs whose first pipeline failed and passed when run again on the same commit.</summary>
    public double FlakyShare { get; init; } = 0.04;

    /// <summary>The median pipeline duration (durations are log-normal, sigma 0.25).</summary>
    public TimeSpan PipelineMedian { get; init; } = TimeSpan.FromMinutes(30);

    public int Seed { get; init; } = 7;
}

/// <summary>What the generator made of one MR: what a reader of the history should find again.</summary>
/// <param name="MergeRequest">The merged MR as stored.</param>
/// <param name="Bad">Its first pipeline failed and a new commit fixed it.</param>
/// <param name="Flaky">Its first pipeline failed and a new pipeline on the same commit passed.</param>
/// <param name="PipelineDuration">The duration of every pipeline it ran (GitLab's <c>duration</c>, whole seconds).</param>
public sealed record GeneratedMergeRequest(FakeMergeRequest MergeRequest, bool Bad, bool Flaky, TimeSpan PipelineDuration);
