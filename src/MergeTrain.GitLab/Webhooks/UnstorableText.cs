using System.Text.Json;

namespace MergeTrain.GitLab.Webhooks;

/// <summary>
/// Finds text that PostgreSQL's <c>jsonb</c>, where deliveries are stored, refuses: a NUL or an
/// unpaired UTF-16 surrogate, written as an escape (<c>\u0000</c>, <c>\ud800</c>) in any string
/// or field name. JSON allows both, so parsing alone lets them through; found here, they are a
/// 400 for the sender instead of a failed insert (a 500, which GitLab retries).
/// </summary>
internal static class UnstorableText
{
    /// <summary>The path of the first such text in <paramref name="element"/>, or null when there is none.</summary>
    public static string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsStorable(() => property.Name))
                    {
                        return $"a field name in {(path.Length == 0 ? "the body" : path)}";
                    }

                    if (Find(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}") is { } inside)
                    {
                        return inside;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]") is { } inside)
                    {
                        return inside;
                    }
                }

                return null;
            case JsonValueKind.String:
                return IsStorable(() => element.GetString()!) ? null : path;
            default:
                return null;
        }
    }

    // System.Text.Json refuses to decode an unpaired surrogate escape; a NUL it decodes.
    private static bool IsStorable(Func<string> text)
    {
        try
        {
            return !text().Contains('\0', StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
