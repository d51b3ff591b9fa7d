namespace MergeTrain.FakeGitLab;

/// <summary>How a <see cref="FakeGitLab"/> starts.</summary>
public sealed record FakeGitLabOptions
{
    /// <summary>Listening URL; port 0 picks a free port (see <see cref="FakeGitLab.BaseUrl"/>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    /// <summary>Where the bare repositories live; a fresh temporary folder (deleted on dispose) when null.</summary>
    public string? RootDirectory { get; init; }

    /// <summary>API tokens accepted in <c>PRIVATE-TOKEN</c> or <c>Authorization: Bearer</c>.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = ["fake-gitlab-token"];

    /// <summary>The owner of the API tokens (author of API notes, statuses and pipelines).</summary>
    public FakeUser ApiUser { get; init; } = new(2, "merge-train-bot", "Merge Train Bot", "merge-train-bot@example.com");

    /// <summary>The person opening, labelling and commenting on merge requests.</summary>
    public FakeUser Developer { get; init; } = new(1, "alice", "Alice Developer", "alice@example.com");

    /// <summary>How long a simulated pipeline runs before it finishes (changeable later on <see cref="CiSimulator"/>).</summary>
    public TimeSpan PipelineDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the bare repositories' branches are checked for pushes.</summary>
    public TimeSpan RefPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Sent as <c>User-Agent: GitLab/&lt;version&gt;</c> on webhook deliveries.</summary>
    public string GitLabVersion { get; init; } = "17.8.0";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
