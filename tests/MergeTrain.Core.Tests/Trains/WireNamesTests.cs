using System.Text.Json;
using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// The names enums have on the wire (stored JSON, SQL columns, GitLab's API, notes) are a contract:
/// each is pinned here, and JSON, SQL and notes are shown to use the same one.
/// </summary>
public class WireNamesTests
{
    [Test]
    public void Pipeline_statuses_have_GitLabs_names() => Pin(
        "created", "waiting_for_resource", "preparing", "pending", "running", "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled");

    [Test]
    public void Car_statuses_have_GitLabs_names() => Pin<CarStatus>("idle", "fresh", "stale", "merging", "merged", "skip_merged", "dropped");

    [Test]
    public void Drop_reasons_have_their_names() => Pin<DropReason>(
        "pipeline_failed", "merge_conflict", "source_updated", "closed", "draft", "removed_by_user", "pipeline_timeout", "target_missing", "error", "not_mergeable");

    [Test]
    public void Commit_states_have_GitLabs_names() => Pin<CommitState>("pending", "running", "success", "failed", "canceled");

    [Test]
    public void Merge_request_states_have_GitLabs_names() => Pin<MergeRequestState>("opened", "closed", "locked", "merged");

    [Test]
    public void Priorities_have_their_names() => Pin<CarPriority>("normal", "high");

    [Test]
    public void Merge_methods_and_squash_options_have_GitLabs_names()
    {
        Pin<MergeMethod>("merge", "rebase_merge", "ff");
        Pin<SquashOption>("never", "default_off", "default_on", "always");
    }

    [Test]
    public void The_named_helpers_read_the_same_table()
    {
        Enum.GetValues<PipelineStatus>().ShouldAllBe(s => s.ToGitLabName() == WireNames.Of(s));
        Enum.GetValues<CarStatus>().ShouldAllBe(s => s.ToGitLabName() == WireNames.Of(s));
        Enum.GetValues<DropReason>().ShouldAllBe(r => r.ToGitLabName() == WireNames.Of(r));
        Enum.GetValues<CommitState>().ShouldAllBe(s => s.ToGitLabName() == WireNames.Of(s));
        Enum.GetValues<CarPriority>().ShouldAllBe(p => p.ToName() == WireNames.Of(p));
        Enum.GetValues<MergeMethod>().ShouldAllBe(m => m.ToGitLabName() == WireNames.Of(m));
        Enum.GetValues<SquashOption>().ShouldAllBe(o => o.ToGitLabName() == WireNames.Of(o));
        GitLabNames.TryParsePipelineStatus("canceling", out var canceling).ShouldBeTrue();
        canceling.ShouldBe(PipelineStatus.Canceling);
        MergeMethodNames.TryParseMergeMethod("ff", out var method).ShouldBeTrue();
        method.ShouldBe(MergeMethod.FastForward);
        CarPriorityNames.TryParse(" High ", out var priority).ShouldBeTrue("people type priorities");
        priority.ShouldBe(CarPriority.High);
    }

    [TestCase("Canceling")]
    [TestCase("canceling ")]
    [TestCase("cancelling")]
    [TestCase("")]
    [TestCase(null)]
    public void A_name_GitLab_does_not_send_is_not_a_status(string? name)
    {
        WireNames.TryParse<PipelineStatus>(name, out var status).ShouldBeFalse();
        status.ShouldBe(default);
    }

    [Test]
    public void A_value_outside_the_enum_has_no_name()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => WireNames.Of((PipelineStatus)99));
    }

    [Test]
    public void The_unfinished_statuses_SQL_compares_are_the_engines_and_include_canceling()
    {
        FinishedPipelineStatuses.Names.ShouldBe(["success", "failed", "canceled", "skipped"]);
        FinishedPipelineStatuses.UnfinishedNames.ShouldBe(
            ["created", "waiting_for_resource", "preparing", "pending", "running", "canceling", "manual", "scheduled"]);
        PipelineStatus.Canceling.IsFinished().ShouldBeFalse("a canceling pipeline can still report");
        Enum.GetValues<PipelineStatus>().ShouldAllBe(s => s.IsFinished() == FinishedPipelineStatuses.Names.Contains(s.ToGitLabName()));
    }

    // The names, in declaration order; JSON writes and reads exactly these, and parsing a name gives its value back.
    private static void Pin<TEnum>(params string[] names)
        where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        WireNames.All<TEnum>().ShouldBe(names);
        values.Select(WireNames.Of).ShouldBe(names);
        values.Select(value => JsonSerializer.Serialize(value)).ShouldBe(names.Select(name => $"\"{name}\""), "JSON writes the same names");
        names.Select(name => JsonSerializer.Deserialize<TEnum>($"\"{name}\"")).ShouldBe(values, "JSON reads them back");
        names.Select(name => WireNames.TryParse(name, out TEnum value) ? value : throw new AssertionException(name)).ShouldBe(values);
    }

    private static void Pin(params string[] names) => Pin<PipelineStatus>(names);
}
