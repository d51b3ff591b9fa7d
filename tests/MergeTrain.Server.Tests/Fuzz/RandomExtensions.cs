namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>Choices the generators make, all from the one seeded <see cref="Random"/> of a request.</summary>
internal static class RandomExtensions
{
    public static T Pick<T>(this Random random, IReadOnlyList<T> choices) => choices[random.Next(choices.Count)];

    /// <summary>True with probability 1/<paramref name="n"/>.</summary>
    public static bool OneIn(this Random random, int n) => random.Next(n) == 0;
}
