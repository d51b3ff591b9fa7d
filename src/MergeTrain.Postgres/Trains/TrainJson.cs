using System.Text.Json;

namespace MergeTrain.Postgres.Trains;

/// <summary>How engine records are stored as jsonb.</summary>
internal static class TrainJson
{
    /// <summary>
    /// jsonb reorders object keys, so the "kind" discriminator of events and effects is not always
    /// first when read back: allow it anywhere.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new() { AllowOutOfOrderMetadataProperties = true };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new JsonException($"null where a {typeof(T).Name} was stored");
}
