namespace MergeTrain.Demo;

/// <summary>The demo's seeded random choices, safe to share between the simulated developers.</summary>
public sealed class DemoRandom(int seed)
{
    private readonly Lock _gate = new();
#pragma warning disable CA5394 // A seeded, replayable demo wants exactly this generator; nothing here is a secret.
    private readonly Random _random = new(seed);

    /// <summary>A duration evenly between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public TimeSpan Between(TimeSpan min, TimeSpan max)
    {
        lock (_gate)
        {
            return min + (max - min) * _random.NextDouble();
        }
    }

    /// <summary>A number evenly in [0, 1).</summary>
    public double Fraction()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability)
    {
        lock (_gate)
        {
            return _random.NextDouble() < probability;
        }
    }

    /// <summary>One of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_gate)
        {
            return items[_random.Next(items.Count)];
        }
    }
#pragma warning restore CA5394
}
