namespace MergeTrain.FakeGitLab;

/// <summary>A comment on a merge request, made by a user or through the API.</summary>
public sealed record FakeNote(long Id, long ProjectId, long MergeRequestIid, string Body, FakeUser Author, DateTimeOffset CreatedAt);
