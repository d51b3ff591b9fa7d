namespace MergeTrain.Server.Tests.Chaos;

/// <summary>What an MR of the chaos train is made to do.</summary>
internal enum Fate
{
    /// <summary>Passes its pipeline: must be merged.</summary>
    Merges,

    /// <summary>Holds the lint's forbidden word: its car's pipeline fails, so it must be removed with a note.</summary>
    FailsPipeline,

    /// <summary>Adds the same file as an earlier good MR: conflicts with it, so it must be removed with a note.</summary>
    Conflicts,
}

/// <summary>One MR of the chaos train: its branch, its files and its fate.</summary>
internal sealed record PlannedMergeRequest(int Index, Fate Fate, string Branch, IReadOnlyDictionary<string, string?> Files);

/// <summary>The kinds of kill the chaos run deals out.</summary>
internal enum KillKind
{
    /// <summary>One service instance (the other one keeps running).</summary>
    Service,

    /// <summary>The PostgreSQL server (both services keep running).</summary>
    Database,

    /// <summary>The PostgreSQL server and one or both service instances at once.</summary>
    Both,
}

/// <summary>
/// The train and the kills of one seed: which MRs fail or conflict, the order of the kinds of
/// kill (every kind at least three times, then at random), the waits and down times.
/// </summary>
internal sealed class ChaosPlan
{
    /// <summary>The word the project's lint forbids (the fake CI's <c>lint.rules</c>).</summary>
    public const string ForbiddenWord = "FORBIDDEN";

    private readonly Random _random;
    // The adds run beside the kills: a generator of their own keeps both sequences the seed's.
    private readonly Random _addRandom;
    private readonly Queue<KillKind> _firstKills;

    public ChaosPlan(int seed, int mergeRequests)
    {
        Seed = seed;
        _random = new Random(seed);
        _addRandom = new Random(seed ^ 0x5EED);
        var planned = new List<PlannedMergeRequest>();
        var goodOnes = new List<int>();
        for (var i = 0; i < mergeRequests; i++)
        {
            var roll = _random.NextDouble();
            // The first few are good so that there is something to conflict with early on.
            var fate = i < 3 ? Fate.Merges : roll < 0.2 ? Fate.FailsPipeline : roll < 0.35 ? Fate.Conflicts : Fate.Merges;
            var branch = $"chaos-{i:D2}";
            planned.Add(fate switch
            {
                Fate.FailsPipeline => new PlannedMergeRequest(i, fate, branch, new Dictionary<string, string?> { [$"{branch}.txt"] = $"{ForbiddenWord} {i}\n" }),
                Fate.Conflicts => new PlannedMergeRequest(
                    i, fate, branch, new Dictionary<string, string?> { [$"{planned[goodOnes[_random.Next(goodOnes.Count)]].Branch}.txt"] = $"a different {i}\n" }),
                _ => new PlannedMergeRequest(i, fate, branch, new Dictionary<string, string?> { [$"{branch}.txt"] = $"work {i}\n" }),
            });
            if (fate == Fate.Merges)
            {
                goodOnes.Add(i);
            }
        }

        MergeRequests = planned;
        KillKind[] first = [KillKind.Service, KillKind.Service, KillKind.Service, KillKind.Database, KillKind.Database, KillKind.Database, KillKind.Both, KillKind.Both, KillKind.Both];
        _random.Shuffle(first);
        _firstKills = new Queue<KillKind>(first);
    }

    public int Seed { get; }

    public IReadOnlyList<PlannedMergeRequest> MergeRequests { get; }

    public KillKind NextKill() => _firstKills.TryDequeue(out var kind) ? kind : (KillKind)_random.Next(3);

    /// <summary>0 or 1: which service instance a kill hits.</summary>
    public int NextInstance() => _random.Next(2);

    /// <summary>Whether a kill of both kinds takes both instances down (otherwise one).</summary>
    public bool BothInstances() => _random.Next(3) == 0;

    /// <summary>Time between two kills.</summary>
    public TimeSpan NextPause() => TimeSpan.FromMilliseconds(_random.Next(1_000, 3_000));

    /// <summary>How long a killed part stays down before it is started again.</summary>
    public TimeSpan NextDownTime() => TimeSpan.FromMilliseconds(_random.Next(200, 1_500));

    /// <summary>Time between two adds to the train.</summary>
    public TimeSpan NextAddPause() => TimeSpan.FromMilliseconds(_addRandom.Next(100, 400));
}
