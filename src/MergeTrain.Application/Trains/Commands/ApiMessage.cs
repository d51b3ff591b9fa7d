namespace MergeTrain.Application.Trains.Commands;

/// <summary>GitLab's error body: <c>{"message": "..."}</c>.</summary>
public sealed record ApiMessage(string Message);
