using System.Globalization;
using MergeTrain.FakeGitLab;
using MergeTrain.Simulator.Replay;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Simulator.Tests;

/// <summary>
/// The replay command end to end: the fake GitLab holds five weeks of merged MRs, the command reads
/// the last four over HTTP and prints a row per policy and a recommendation.
/// </summary>
public class ReplayTests
{
    private const long ProjectId = 31;

    [Test]
    public async Task Replaying_four_weeks_of_a_projects_history_prints_every_policy_and_a_recommended_configuration()
    {
        await using var gitLab = await FakeGitLab.FakeGitLab.StartAsync();
        await gitLab.AddProjectAsync(ProjectId, "acme/replayed");
        var history = gitLab.GenerateMergedHistory(ProjectId, new MergedHistoryOptions { Count = 390, Span = TimeSpan.FromDays(35), BadShare = 0.08, FlakyShare = 0.05 });
        var now = DateTimeOffset.UtcNow;
        var inWindow = history.Where(h => h.MergeRequest.CreatedAt >= now - TimeSpan.FromDays(28)).ToList();
        inWindow.Count.ShouldBeGreaterThanOrEqualTo(300);
        inWindow.Count.ShouldBeLessThan(history.Count, "some of the history is older than the window");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await ReplayCommand.RunAsync(
            ["--replay", "--gitlab-url", gitLab.BaseUrl.ToString(), "--project", ProjectId.ToString(CultureInfo.InvariantCulture), "--weeks", "4", "--project-index", "2"],
            output,
            error,
            gitLab.Token,
            now);

        error.ToString().ShouldBeEmpty();
        exit.ShouldBe(0);
        var text = output.ToString();
        await TestContext.Out.WriteLineAsync(text);
        text.ShouldNotContain(gitLab.Token);
        text.ShouldContain($"Replayed {inWindow.Count} merged MRs");
        text.ShouldContain($"{inWindow.Count(h => h.Bad)} bad");
        text.ShouldContain($"{inWindow.Count(h => h.Flaky)} flaky");
        var rows = text.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| policy", StringComparison.Ordinal)).ToList();
        var policies = Policies.Compared(Policies.DefaultPendingFailureDepth);
        rows.Count.ShouldBe(policies.Count);
        for (var i = 0; i < policies.Count; i++)
        {
            var cells = rows[i].Split('|', StringSplitOptions.TrimEntries);
            cells[1].ShouldBe(policies[i].Name);

            // Every policy keeps up with 0.5 MRs an hour: all of them merge, none is left on the train.
            cells[4].ShouldBe(inWindow.Count.ToString(CultureInfo.InvariantCulture), policies[i].Name);
            cells[8].ShouldBe("0", policies[i].Name);
            double.Parse(cells[5], CultureInfo.InvariantCulture).ShouldBe(inWindow.Count / (28 * 24.0), 0.05);

            // At least one pipeline of about 30 minutes per merged MR.
            double.Parse(cells[6], CultureInfo.InvariantCulture).ShouldBeInRange(25, 120, policies[i].Name);
        }

        rows[0].ShouldStartWith("| GitLab |");
        text.ShouldContain("Recommended: ");
        text.ShouldContain("  MergeTrain:Projects:2:MaxParallelPipelines=");
        text.ShouldContain("  MergeTrain:Projects:2:PendingFailureDepth=");
    }

    [Test]
    public async Task A_refused_token_fails_with_GitLabs_answer_and_does_not_print_the_token()
    {
        await using var gitLab = await FakeGitLab.FakeGitLab.StartAsync();
        await gitLab.AddProjectAsync(ProjectId, "acme/replayed");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await ReplayCommand.RunAsync(["--replay", "--gitlab-url", gitLab.BaseUrl.ToString(), "--project", "acme/replayed"], output, error, "wrong-token-123", DateTimeOffset.UtcNow);

        exit.ShouldBe(1);
        output.ToString().ShouldBeEmpty();
        error.ToString().ShouldContain("401");
        error.ToString().ShouldContain("acme%2Freplayed", Case.Insensitive);
        error.ToString().ShouldNotContain("wrong-token-123");
    }

    [Test]
    public void The_trace_finds_bad_and_flaky_MRs_and_durations_in_what_GitLab_recorded()
    {
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        HistoryPipeline Pipeline(long id, string sha, string status, double startHours, int seconds, string suffix = "head") =>
            new(id, $"refs/merge-requests/{id}/{suffix}", sha, status, start.AddHours(startHours), start.AddHours(startHours).AddSeconds(seconds), seconds);
        HistoryMergeRequest[] history =
        [
            new(1, start.AddHours(1), start.AddHours(3), [Pipeline(10, "a1", "failed", 1, 1800), Pipeline(11, "a2", "success", 2.5, 1500)]),
            new(2, start.AddHours(2), start.AddHours(3), [Pipeline(12, "b1", "failed", 2, 1200), Pipeline(13, "b1", "success", 2.4, 1300)]),
            new(3, start.AddHours(4), start.AddHours(5), [Pipeline(14, "c1", "canceled", 4, 60), Pipeline(15, "c1", "success", 4.1, 2000)]),
            new(4, start.AddHours(-1), start.AddHours(1), [Pipeline(16, "d1", "success", -1, 2000)]),

            // A train pipeline failed (the car ahead broke it) and the next train pipeline ran on a new merge commit.
            new(5, start.AddHours(6), start.AddHours(8), [Pipeline(17, "e1", "success", 6, 1000), Pipeline(18, "m1", "failed", 6.5, 900, "train"), Pipeline(19, "m2", "success", 7, 1100, "train")]),
        ];

        var trace = HistoryTrace.From(history, start, TimeSpan.FromDays(1), TimeSpan.FromHours(6));

        trace.MergeRequests.Select(m => m.Iid).ShouldBe([1, 2, 3, 5], "MR 4 was created before the window");
        trace.MergeRequests[0].ShouldBe(new TracedMergeRequest(1, TimeSpan.FromHours(1), true, false, TimeSpan.FromSeconds(1500), TimeSpan.FromHours(1.5) - TimeSpan.FromSeconds(1800)));
        trace.MergeRequests[1].ShouldBe(new TracedMergeRequest(2, TimeSpan.FromHours(2), false, true, TimeSpan.FromSeconds(1300)));
        trace.MergeRequests[2].ShouldBe(new TracedMergeRequest(3, TimeSpan.FromHours(4), false, false, TimeSpan.FromSeconds(2000)), "a cancelled pipeline is neither a failure nor a flake");
        trace.MergeRequests[3].ShouldBe(new TracedMergeRequest(5, TimeSpan.FromHours(6), false, false, TimeSpan.FromSeconds(1100)), "a new merge commit is no fix by the author");
    }

    [Test]
    public void A_replayed_trace_merges_every_MR_and_a_bad_one_only_after_its_recorded_fix()
    {
        TracedMergeRequest[] mrs =
        [
            new(1, TimeSpan.FromMinutes(10), false, false, TimeSpan.FromMinutes(20)),
            new(2, TimeSpan.FromMinutes(20), true, false, TimeSpan.FromMinutes(20), TimeSpan.FromHours(3)),
            new(3, TimeSpan.FromMinutes(30), false, true, TimeSpan.FromMinutes(20)),
        ];
        var trace = new Trace(mrs, TimeSpan.FromHours(2), TimeSpan.FromHours(10));

        var results = ReplayCommand.Replay(trace, runners: 0);

        var gitLab = results[0];
        gitLab.Merged.ShouldBe(3);
        gitLab.LeftOnTrain.ShouldBe(0);
        gitLab.BrokenTargets.ShouldBe(0);

        // The bad MR fails at 40 min, is fixed 3 h later and merges after one more 20-minute pipeline.
        gitLab.TimeToMergeP95.ShouldBe(TimeSpan.FromMinutes(20 + 180 + 20));
        gitLab.WronglyDroppedByFlake.ShouldBe(1, "GitLab drops the flaky MR on its one flake");
        results.Single(r => r.Policy.Name == "retry").WronglyDroppedByFlake.ShouldBe(0);
    }
}
