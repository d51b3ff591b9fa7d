namespace MergeTrain.Application.Trains.Commands;

/// <summary>GitLab's API booleans as they arrive in a query, a form or JSON: <c>true</c>/<c>false</c>, or <c>1</c>/<c>0</c>.</summary>
public static class ApiBoolean
{
    /// <summary>The value, or null when none was given or it is not one of GitLab's booleans.</summary>
    public static bool? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => null,
    };
}
