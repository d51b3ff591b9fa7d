namespace MergeTrain.Simulator;

/// <summary>
/// A recorded history to replay instead of random draws: the exact MRs, when each arrived, whether
/// it was bad or flaky, and how long its pipelines ran.
/// </summary>
/// <param name="MergeRequests">The MRs in arrival order.</param>
/// <param name="Window">The stretch of time they arrived in (merged per hour is counted over it).</param>
/// <param name="Drain">How long the simulation runs on after the window, so that the last arrivals can merge.</param>
internal sealed record Trace(IReadOnlyList<TracedMergeRequest> MergeRequests, TimeSpan Window, TimeSpan Drain);

/// <summary>One recorded MR.</summary>
/// <param name="Iid">Its iid in GitLab.</param>
/// <param name="Arrival">When it arrived, from the window's start.</param>
/// <param name="Bad">A pipeline of it failed and a new commit followed: it breaks its car until fixed.</param>
/// <param name="Flaky">A pipeline of it failed and then passed on the same commit: its first run fails one job by a flake.</param>
/// <param name="PipelineDuration">How long its pipeline ran; every pipeline of a car it heads takes this long.</param>
/// <param name="FixAfter">For a bad MR, how long its author took to push the fix (null: an hour or two, as drawn).</param>
internal sealed record TracedMergeRequest(int Iid, TimeSpan Arrival, bool Bad, bool Flaky, TimeSpan PipelineDuration, TimeSpan? FixAfter = null);
