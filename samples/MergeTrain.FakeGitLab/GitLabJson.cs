using System.Text.Encodings.Web;
using System.Text.Json;

namespace MergeTrain.FakeGitLab;

/// <summary>How the fake writes JSON: compact, with characters such as <c>+</c> left as they are, like GitLab.</summary>
internal static class GitLabJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
