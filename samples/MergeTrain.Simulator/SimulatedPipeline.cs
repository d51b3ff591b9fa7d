namespace MergeTrain.Simulator;

/// <summary>
/// One pipeline of the synthetic CI: a first run of every job, then a run per retry of the jobs that
/// failed. Its minutes are those of all its runs, up to their end or cancellation.
/// </summary>
internal sealed class SimulatedPipeline(long id, int iid, string sha, string @ref, TimeSpan duration, int brokenJobs)
{
    private readonly List<(DateTimeOffset Start, DateTimeOffset? End)> _runs = [];

    public long Id { get; } = id;

    public int Iid { get; } = iid;

    public string Sha { get; } = sha;

    public string Ref { get; } = @ref;

    /// <summary>How long a run of every job takes.</summary>
    public TimeSpan Duration { get; } = duration;

    /// <summary>The jobs the commit's bad MRs break: they fail on every run.</summary>
    public int BrokenJobs { get; } = brokenJobs;

    /// <summary>The jobs that failed in the latest finished run.</summary>
    public int Failed { get; private set; }

    /// <summary>The jobs of the latest finished run that failed by a flake alone.</summary>
    public int Flaked { get; private set; }

    /// <summary>How many runs there were: 1, plus one per retry.</summary>
    public int Runs => _runs.Count;

    /// <summary>Whether a run is under way.</summary>
    public bool Running => _runs.Count > 0 && _runs[^1].End is null;

    /// <summary>Whether the latest run finished (rather than being cancelled or still running).</summary>
    public bool Finished { get; private set; }

    /// <summary>Whether a run waits for a free runner (pending): it has not started and costs nothing yet.</summary>
    public bool Queued { get; set; }

    /// <summary>Whether the train cancelled it.</summary>
    public bool Cancelled { get; private set; }

    /// <summary>Whether the train acted on the pipeline's result: the failure that dropped its car, or the pass that merged it.</summary>
    public bool Useful { get; set; }

    public void StartRun(DateTimeOffset at)
    {
        _runs.Add((at, null));
        Finished = false;
    }

    public void FinishRun(DateTimeOffset at, int failed, int flaked)
    {
        _runs[^1] = (_runs[^1].Start, at);
        Failed = failed;
        Flaked = flaked;
        Finished = true;
    }

    public void Cancel(DateTimeOffset at)
    {
        Cancelled = true;
        Queued = false;
        if (Running)
        {
            _runs[^1] = (_runs[^1].Start, at);
        }
    }

    /// <summary>The pipeline minutes of every run; a run still under way counts up to <paramref name="end"/>.</summary>
    public double Minutes(DateTimeOffset end) => _runs.Sum(run => ((run.End ?? end) - run.Start).TotalMinutes);
}
