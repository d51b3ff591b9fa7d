using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>
/// A request's parameters the way GitLab's API reads them: from the query string, a form body or
/// a JSON body, whichever the client used.
/// </summary>
internal sealed class RequestParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Value)> _variables = [];

    public IReadOnlyList<(string Key, string Value)> Variables => _variables;

    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>Parses the request; null when the body is not valid JSON (GitLab answers 400).</summary>
    public static async Task<RequestParameters?> ReadAsync(HttpRequest request)
    {
        var parameters = new RequestParameters();
        foreach (var (key, value) in request.Query)
        {
            parameters._values[key] = value.ToString();
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var (key, value) in form)
            {
                parameters._values[key] = value.ToString();
            }

            // Form-encoded variables arrive as variables[][key]=K&variables[][value]=V, in pairs.
            var keys = form["variables[][key]"];
            var values = form["variables[][value]"];
            for (var i = 0; i < keys.Count && i < values.Count; i++)
            {
                parameters._variables.Add((keys[i]!, values[i]!));
            }

            return parameters;
        }

        var body = ApiMiddleware.BodyOf(request.HttpContext);
        if (string.IsNullOrWhiteSpace(body))
        {
            return parameters;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "variables" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var variable in property.Value.EnumerateArray())
                    {
                        if (variable.TryGetProperty("key", out var key) && variable.TryGetProperty("value", out var value))
                        {
                            parameters._variables.Add((key.ToString(), value.ToString()));
                        }
                    }

                    continue;
                }

                parameters._values[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => "",
                    _ => property.Value.GetRawText(),
                };
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return parameters;
    }
}
