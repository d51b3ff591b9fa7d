using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>JSON answers and GitLab's error bodies.</summary>
internal static class ApiResults
{
    public static IResult Json(JsonNode body, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(GitLabJson.Options), "application/json", statusCode: statusCode);

    /// <summary><c>{"message": "..."}</c>, GitLab's usual error body.</summary>
    public static IResult Message(int statusCode, string message) => Json(new JsonObject { ["message"] = message }, statusCode);

    /// <summary><c>{"message": "404 Not found"}</c> (GitLab's wording, lower-case f, for a missing record).</summary>
    public static IResult NotFound(string what = "") => Message(StatusCodes.Status404NotFound, what.Length == 0 ? "404 Not found" : $"404 {what} Not Found");

    /// <summary><c>{"error": "... is missing"}</c>, GitLab's answer to a missing required parameter.</summary>
    public static IResult Missing(string parameter) => Json(new JsonObject { ["error"] = parameter + " is missing" }, StatusCodes.Status400BadRequest);

    /// <summary><c>{"error": "... does not have a valid value"}</c>, GitLab's answer to a value outside the allowed set.</summary>
    public static IResult Invalid(string parameter) =>
        Json(new JsonObject { ["error"] = parameter + " does not have a valid value" }, StatusCodes.Status400BadRequest);
}
