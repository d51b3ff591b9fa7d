using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>
/// The names an enum's values have outside the process (stored JSON, SQL columns, GitLab's API,
/// notes, the dashboard), read from the one table each enum carries: the
/// <see cref="JsonStringEnumMemberNameAttribute"/> beside each member, which
/// <see cref="JsonStringEnumConverter{TEnum}"/> writes and reads in JSON too. So a name is written
/// once, next to the value it names, and no table indexed by position can fall out of step.
/// </summary>
public static class WireNames
{
    /// <summary>The wire name of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of the enum.</exception>
    /// <exception cref="InvalidOperationException">A member of the enum has no wire name.</exception>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Table<TEnum>.Names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a {typeof(TEnum).Name}.");

    /// <summary>The value a wire name stands for (exact spelling); false for an unknown name.</summary>
    public static bool TryParse<TEnum>(string? name, out TEnum value)
        where TEnum : struct, Enum
    {
        if (name is not null && Table<TEnum>.Values.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Every wire name of <typeparamref name="TEnum"/>, in declaration order: for error messages and SQL lists.</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => Table<TEnum>.All;

    // Built once per enum; a member without a name fails here, at the first use of the enum's
    // names (a test touches every enum), rather than writing its C# name to the database.
    private static class Table<TEnum>
        where TEnum : struct, Enum
    {
        internal static readonly FrozenDictionary<TEnum, string> Names = typeof(TEnum)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(
                field => (TEnum)field.GetValue(null)!,
                field => field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{field.Name} has no [JsonStringEnumMemberName]: it has no wire name."));

        internal static readonly FrozenDictionary<string, TEnum> Values = Names.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

        internal static readonly IReadOnlyList<string> All = [.. Enum.GetValues<TEnum>().Select(value => Names[value])];
    }
}
