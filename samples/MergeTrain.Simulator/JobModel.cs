namespace MergeTrain.Simulator;

/// <summary>
/// The jobs of every simulated pipeline, each with its share of the pipeline's duration. Sets of jobs
/// are bit masks (bit <c>i</c> is job <c>i</c>): a commit's broken jobs, a run's jobs, its failures.
/// A bad MR breaks one job for good; a flake fails one job of one run; a retry reruns only the failed
/// jobs and takes their share of the pipeline's duration.
/// </summary>
internal sealed class JobModel
{
    private readonly string[] _names;
    private readonly double[] _shares;

    public JobModel(IReadOnlyList<(string Name, double Share)> jobs)
    {
        if (jobs.Count is 0 or > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(jobs), jobs.Count, "A pipeline has between 1 and 30 jobs.");
        }

        _names = jobs.Select(job => job.Name).ToArray();
        var total = jobs.Sum(job => job.Share);
        _shares = jobs.Select(job => job.Share / total).ToArray();
    }

    /// <summary>Four jobs, run one after the other: what a typical service's pipeline has.</summary>
    public static JobModel Default { get; } = new([("compile", 0.2), ("unit-tests", 0.3), ("integration-tests", 0.4), ("lint", 0.1)]);

    /// <summary>How many jobs a pipeline has.</summary>
    public int Count => _names.Length;

    /// <summary>Every job: what a new pipeline runs.</summary>
    public int All => (1 << _names.Length) - 1;

    /// <summary>The set holding only job <paramref name="job"/>.</summary>
    public static int Only(int job) => 1 << job;

    /// <summary>The names of the jobs in <paramref name="jobs"/>, in pipeline order.</summary>
    public IReadOnlyList<string> Names(int jobs) => Enumerable.Range(0, _names.Length).Where(i => (jobs & (1 << i)) != 0).Select(i => _names[i]).ToArray();

    /// <summary>How long running <paramref name="jobs"/> takes in a pipeline that runs them all in <paramref name="pipelineDuration"/>.</summary>
    public TimeSpan RunTime(TimeSpan pipelineDuration, int jobs)
    {
        var share = 0.0;
        for (var i = 0; i < _names.Length; i++)
        {
            if ((jobs & (1 << i)) != 0)
            {
                share += _shares[i];
            }
        }

        return pipelineDuration * share;
    }

    /// <summary>
    /// Which of the jobs a run executes fail: every broken one, and with probability
    /// <paramref name="flakeProbability"/> one of them at random (the flake, also returned alone).
    /// </summary>
    public (int Failed, int Flaked) Outcome(int run, int broken, double flakeProbability, Random random)
    {
        var flaked = 0;
        if (random.NextDouble() < flakeProbability)
        {
            var candidates = Enumerable.Range(0, _names.Length).Where(i => (run & (1 << i)) != 0).ToArray();
            flaked = candidates.Length == 0 ? 0 : Only(candidates[random.Next(candidates.Length)]);
        }

        return ((run & broken) | flaked, flaked & ~broken);
    }
}
