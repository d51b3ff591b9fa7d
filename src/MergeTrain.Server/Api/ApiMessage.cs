namespace MergeTrain.Server.Api;

/// <summary>GitLab's error body: <c>{"message": "..."}</c>.</summary>
public sealed record ApiMessage(string Message);
