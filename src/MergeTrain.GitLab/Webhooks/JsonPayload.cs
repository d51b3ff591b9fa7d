using System.Globalization;
using System.Text.Json;

namespace MergeTrain.GitLab.Webhooks;

/// <summary>
/// Reads fields out of a webhook payload by their dotted path, so that a missing or mistyped field
/// is reported as, for example, <c>Merge Request Hook: object_attributes.iid is missing</c>.
/// </summary>
internal readonly struct JsonPayload(string eventName, JsonElement element, string path)
{
    public string EventName => eventName;

    public JsonElement Element => element;

    public JsonPayload Object(string name) =>
        TryObject(name) ?? throw Missing(name);

    /// <summary>The object at <paramref name="name"/>, or null when it is absent or JSON null.</summary>
    public JsonPayload? TryObject(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? new JsonPayload(eventName, value, Child(name))
            : throw WrongType(name, "an object", value);
    }

    public string String(string name) => TryString(name) ?? throw Missing(name);

    /// <summary>A string that must be a name git accepts for a branch or reference.</summary>
    public string RefName(string name)
    {
        var value = String(name);
        return GitRefName.Problem(value) is { } problem
            ? throw new WebhookParseException($"{eventName}: {Child(name)} is not a name git accepts ({problem}).")
            : value;
    }

    public string? TryString(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(name, "a string", value);
    }

    public long Int64(string name) => TryInt64(name) ?? throw Missing(name);

    /// <summary>A number; a string of digits is accepted too, as some GitLab versions send ids that way.</summary>
    public long? TryInt64(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw WrongType(name, "an integer", value);
    }

    public int Int32(string name)
    {
        var value = Int64(name);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw WrongType(name, "a 32-bit integer", element.GetProperty(name));
    }

    /// <summary>A number of seconds; GitLab sends durations as integers or, in newer versions, decimals.</summary>
    public double? TryDouble(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw WrongType(name, "a number", value);
    }

    public bool? TryBoolean(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "true or false", value),
        };
    }

    /// <summary>
    /// A timestamp. GitLab writes them as ISO 8601 (<c>2024-05-02T09:30:00Z</c>) in some hooks and as
    /// <c>2024-05-02 09:30:00 UTC</c> or <c>2024-05-02 11:30:00 +0200</c> in others.
    /// </summary>
    public DateTimeOffset? TryTimestamp(string name)
    {
        var text = TryString(name);
        if (text is null)
        {
            return null;
        }

        var normalized = text.EndsWith(" UTC", StringComparison.Ordinal) ? text[..^4] + "Z" : text;
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new WebhookParseException($"{eventName}: {Child(name)} is not a timestamp: '{text}'.");
    }

    /// <summary>The elements of an array, or an empty list when it is absent or JSON null.</summary>
    public IReadOnlyList<JsonPayload> Array(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(name, "an array", value);
        }

        var items = new List<JsonPayload>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            items.Add(new JsonPayload(eventName, item, $"{Child(name)}[{index++}]"));
        }

        return items;
    }

    public WebhookParseException Missing(string name) => new($"{eventName}: {Child(name)} is missing.");

    private WebhookParseException WrongType(string name, string expected, JsonElement value) =>
        new($"{eventName}: {Child(name)} should be {expected} but is {value.ValueKind.ToString().ToLowerInvariant()}.");

    /// <summary>
    /// Absent and JSON null are the same to MergeTrain: GitLab uses both for "none". Only an object
    /// has fields: an array element of another kind (a label that is a number) is a wrong type.
    /// </summary>
    private bool TryGet(string name, out JsonElement value)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new WebhookParseException(
                $"{eventName}: {(path.Length == 0 ? "the body" : path)} should be an object but is {element.ValueKind.ToString().ToLowerInvariant()}.");
        }

        return element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private string Child(string name) => path.Length == 0 ? name : $"{path}.{name}";
}
