using System.Text.Json.Nodes;

namespace MergeTrain.GitLab.Tests.Webhooks;

/// <summary>The payloads in <c>samples/webhooks</c>, copied beside the test assembly.</summary>
internal static class SamplePayloads
{
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "webhooks", name));

    /// <summary>A sample changed by <paramref name="edit"/>, for variants GitLab sends that have no file of their own.</summary>
    public static string Edit(string name, Action<JsonObject> edit)
    {
        var payload = JsonNode.Parse(Read(name))!.AsObject();
        edit(payload);
        return payload.ToJsonString();
    }
}
