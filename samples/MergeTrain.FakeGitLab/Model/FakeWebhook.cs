namespace MergeTrain.FakeGitLab;

/// <summary>A registered webhook: every event of every project is delivered to it.</summary>
public sealed record FakeWebhook(long Id, Uri Url, string SecretToken);
