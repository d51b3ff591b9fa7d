namespace MergeTrain.Simulator.Replay;

/// <summary>Turns what GitLab recorded into a <see cref="Trace"/>: each MR's arrival, badness, flakiness and pipeline duration.</summary>
internal static class HistoryTrace
{
    /// <summary>What a pipeline took when GitLab recorded no finished one for the MR.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The trace of the MRs created in [<paramref name="windowStart"/>, <paramref name="windowStart"/> + <paramref name="window"/>).
    /// An MR arrives when it was created (GitLab records no "ready" time that every project sets). It is
    /// bad when a failed pipeline was followed by one on a new commit (the author had to fix it; the
    /// fix took from that failure to the next commit's pipeline), flaky when a failed pipeline was
    /// followed by a pass on the same commit; merged results and train pipelines, whose shas are merge
    /// commits, count only when the MR has no other. Its duration is that of its last passing pipeline.
    /// </summary>
    public static Trace From(IEnumerable<HistoryMergeRequest> mergeRequests, DateTimeOffset windowStart, TimeSpan window, TimeSpan drain)
    {
        var traced = new List<TracedMergeRequest>();
        foreach (var mr in mergeRequests.Where(m => m.CreatedAt >= windowStart && m.CreatedAt < windowStart + window).OrderBy(m => m.CreatedAt).ThenBy(m => m.Iid))
        {
            var finished = mr.Pipelines.Where(p => p.Status is "success" or "failed").OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToList();

            // Bad and flaky are read from the pipelines of the author's own commits when there are any.
            var own = finished.Where(p => !p.OnMergeCommit).ToList();
            var pipelines = own.Count > 0 ? own : finished;
            var bad = false;
            var flaky = false;
            TimeSpan? fixAfter = null;
            for (var i = 0; i < pipelines.Count; i++)
            {
                if (pipelines[i].Status != "failed")
                {
                    continue;
                }

                var failed = pipelines[i];
                var next = pipelines.Skip(i + 1).FirstOrDefault(p => p.Sha != failed.Sha);
                if (next is not null && !bad)
                {
                    bad = true;
                    fixAfter = next.CreatedAt - (failed.FinishedAt ?? failed.CreatedAt);
                }

                flaky |= pipelines.Skip(i + 1).Any(p => p.Sha == failed.Sha && p.Status == "success");
            }

            var duration = finished.LastOrDefault(p => p.Status == "success" && p.DurationSeconds is > 0)?.DurationSeconds
                ?? finished.LastOrDefault(p => p.DurationSeconds is > 0)?.DurationSeconds;
            traced.Add(new TracedMergeRequest(
                mr.Iid,
                mr.CreatedAt - windowStart,
                bad,
                flaky && !bad,
                duration is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultDuration,
                fixAfter is { } fix && fix > TimeSpan.Zero ? fix : null));
        }

        return new Trace(traced, window, drain);
    }
}
