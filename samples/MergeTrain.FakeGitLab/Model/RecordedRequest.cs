namespace MergeTrain.FakeGitLab;

/// <summary>
/// One API request as the fake received it (<c>Path</c> as sent, e.g. <c>/api/v4/projects/a%2Fb/pipeline</c>),
/// with the status code it answered.
/// </summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, int StatusCode, DateTimeOffset ReceivedAt);
