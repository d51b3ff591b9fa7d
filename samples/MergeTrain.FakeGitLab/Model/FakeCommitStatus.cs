namespace MergeTrain.FakeGitLab;

/// <summary>A commit status posted through <c>POST /projects/:id/statuses/:sha</c>.</summary>
public sealed record FakeCommitStatus(
    long Id,
    long ProjectId,
    string Sha,
    string? Ref,
    string State,
    string Name,
    string? TargetUrl,
    string? Description,
    FakeUser Author,
    DateTimeOffset CreatedAt);
