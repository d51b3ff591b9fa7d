using System.Text.Json;
using System.Text.Json.Serialization;

namespace MergeTrain.GitLab.Api;

/// <summary>The JSON conventions of GitLab's v4 API.</summary>
internal static class GitLabJson
{
    /// <summary>
    /// snake_case both ways. Answers are read strictly (a documented field that is missing or null
    /// where the model says it cannot be fails the call) so a wrong answer shows up at the call,
    /// not later as a null in the engine.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}

/// <summary>The body of <c>POST /projects/:id/pipeline</c>.</summary>
internal sealed record CreatePipelineRequest(string Ref, IReadOnlyList<PipelineVariableRequest> Variables);

/// <summary>One entry of <c>variables</c>; <c>variable_type</c> is <c>env_var</c> or <c>file</c>.</summary>
internal sealed record PipelineVariableRequest(string Key, string Value, string VariableType);

/// <summary>The body of <c>POST /projects/:id/merge_requests/:iid/notes</c>.</summary>
internal sealed record CreateNoteRequest(string Body);
