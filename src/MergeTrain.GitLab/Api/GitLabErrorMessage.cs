using System.Text;
using System.Text.Json;

namespace MergeTrain.GitLab.Api;

/// <summary>Reads the reason out of a GitLab error answer.</summary>
internal static class GitLabErrorMessage
{
    private const int MaxLength = 500;

    /// <summary>
    /// GitLab answers errors as <c>{"message": "..."}</c>, <c>{"error": "..."}</c>, or, for validation
    /// failures, <c>{"message": {"field": ["..."]}}</c>; anything else is shown as text, cut short.
    /// </summary>
    public static string Read(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(empty body)";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var parts = new List<string>();
                foreach (var name in new[] { "message", "error", "error_description" })
                {
                    if (document.RootElement.TryGetProperty(name, out var value))
                    {
                        parts.Add(Flatten(value));
                    }
                }

                if (parts.Count > 0)
                {
                    return Cut(string.Join("; ", parts));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page from a proxy, say): fall through to the raw text.
        }

        return Cut(body.Trim());
    }

    private static string Flatten(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString() ?? string.Empty;
            case JsonValueKind.Array:
                return string.Join(", ", value.EnumerateArray().Select(Flatten));
            case JsonValueKind.Object:
                var text = new StringBuilder();
                foreach (var property in value.EnumerateObject())
                {
                    if (text.Length > 0)
                    {
                        text.Append("; ");
                    }

                    text.Append(property.Name).Append(": ").Append(Flatten(property.Value));
                }

                return text.ToString();
            default:
                return value.GetRawText();
        }
    }

    private static string Cut(string text) => text.Length <= MaxLength ? text : text[..MaxLength] + "…";
}
