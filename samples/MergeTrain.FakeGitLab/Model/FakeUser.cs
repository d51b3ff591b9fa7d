namespace MergeTrain.FakeGitLab;

/// <summary>A GitLab user: the people acting on merge requests and the owner of the API token.</summary>
public sealed record FakeUser(long Id, string Username, string Name, string Email);
