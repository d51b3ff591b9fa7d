namespace MergeTrain.FakeGitLab;

/// <summary>
/// A project's merge checks: the approvals an MR needs (GitLab's <c>approvals_before_merge</c>,
/// one project-wide rule) and <c>only_allow_merge_if_all_discussions_are_resolved</c>.
/// </summary>
public sealed record FakeMergeSettings(int ApprovalsRequired = 0, bool OnlyAllowMergeIfAllDiscussionsAreResolved = false);
