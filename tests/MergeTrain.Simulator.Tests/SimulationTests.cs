using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Simulator.Tests;

/// <summary>
/// Short runs of the simulator against the real engine: the simulated GitLab answers retries,
/// immediate merges and priorities so that each policy does what it claims on the same MRs.
/// </summary>
public class SimulationTests
{
    private static readonly Workload Flaky = new(12, 0.05, 0.10, 0.05, TimeSpan.FromMinutes(30), 0.25, TimeSpan.FromDays(2), 42);

    private static SimulationResult Run(string name) => new Simulation(Flaky, Policies.Compared(1).Single(policy => policy.Name.StartsWith(name, StringComparison.Ordinal))).Run();

    [Test]
    public void Retrying_failed_jobs_keeps_flaky_good_MRs_on_the_train()
    {
        var gitLab = Run("GitLab");
        var retry = Run("retry");

        gitLab.WronglyDroppedByFlake.ShouldBeGreaterThan(20);
        retry.Retries.ShouldBeGreaterThan(0);
        retry.WronglyDroppedByFlake.ShouldBeLessThan(gitLab.WronglyDroppedByFlake / 4);
        retry.Merged.ShouldBeGreaterThan(gitLab.Merged / 2);
    }

    [Test]
    public void A_later_green_absolves_flakes_without_retries_and_never_merges_a_broken_commit()
    {
        var gitLab = Run("GitLab");
        var laterGreen = Run("later green");

        laterGreen.Policy.Settings.PendingFailureDepth.ShouldBe(1);
        laterGreen.Retries.ShouldBe(0);
        laterGreen.WronglyDroppedByFlake.ShouldBeLessThan(gitLab.WronglyDroppedByFlake / 2);
        laterGreen.BrokenTargets.ShouldBe(0);
    }

    [Test]
    public void Urgent_MRs_merge_at_once_when_merged_immediately_and_after_their_pipeline_with_priority()
    {
        var gitLab = Run("GitLab");
        var priorities = Run("priorities");

        gitLab.UrgentMerged.ShouldBeGreaterThan(0);
        gitLab.UrgentTimeToMergeP50.ShouldBe(TimeSpan.Zero);
        priorities.Policy.Urgent.ShouldBe(UrgentHandling.HighPriority);
        priorities.UrgentMerged.ShouldBeGreaterThan(0);
        priorities.UrgentTimeToMergeP50.ShouldBeInRange(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(60));
    }

    [Test]
    public void Every_policy_keeps_the_target_at_tested_commits()
    {
        foreach (var policy in Policies.Compared(1))
        {
            var result = new Simulation(Flaky, policy).Run();

            result.BrokenTargets.ShouldBe(0, policy.Name);
            result.Merged.ShouldBeGreaterThan(0, policy.Name);
            result.Policy.Settings.MaxParallelPipelines.ShouldBeOneOf(20, Policies.BatchedPipelines, Policies.BalancedPipelines);
        }
    }

    [Test]
    public void Batches_of_four_spend_less_than_half_of_GitLabs_pipeline_minutes_per_merged_MR_and_never_merge_an_untested_commit()
    {
        var gitLab = Run("GitLab");
        var batches = Run($"batches ({Policies.DefaultBatchSize}, {Policies.BatchedPipelines} pipelines)");

        batches.BrokenTargets.ShouldBe(0);
        batches.Merged.ShouldBeGreaterThan(0);
        batches.PipelineMinutesPerMerge.ShouldBeLessThan(gitLab.PipelineMinutesPerMerge / 2);
    }

    [Test]
    public void Where_runners_are_short_a_batch_that_fails_is_set_aside_and_the_train_keeps_up_where_GitLabs_falls_behind()
    {
        // Runners for four pipelines at once; 5 % bad MRs, 2 % flaky pipelines.
        var starved = Flaky with { FlakeProbability = 0.02, Runners = 4 };
        var gitLab = new Simulation(starved, Policies.Compared(1).Single(policy => policy.Name == "GitLab")).Run();
        var batches = new Simulation(starved, Policies.Compared(1).Single(policy => policy.Name.StartsWith($"batches ({Policies.DefaultBatchSize}, ", StringComparison.Ordinal))).Run();

        batches.SetAside.ShouldBeGreaterThan(0, "batches failed with cars behind them");
        batches.BrokenTargets.ShouldBe(0);
        batches.MergedPerHour.ShouldBeGreaterThan(gitLab.MergedPerHour * 1.5);
        batches.TimeToMergeP95.ShouldBeLessThan(gitLab.TimeToMergeP95 * 0.6);
    }

    [Test]
    public void Where_runners_are_short_a_window_that_follows_them_cancels_only_queued_pipelines_and_lets_batches_merge_sooner()
    {
        var starved = Flaky with { FlakeProbability = 0.02, Runners = 4 };
        var batches = new Simulation(starved, Policies.Compared(1).Single(policy => policy.Name == $"batches (1-{Policies.DefaultBatchSize})")).Run();
        var following = new Simulation(starved, Policies.Compared(1).Single(policy => policy.Name == $"batches (1-{Policies.DefaultBatchSize}), window follows runners")).Run();

        following.Policy.Settings.WindowFollowsRunners.ShouldBeTrue();
        following.BrokenTargets.ShouldBe(0);
        following.TimeToMergeP95.ShouldBeLessThan(batches.TimeToMergeP95);
        following.WastedPipelineMinutes.ShouldBeLessThanOrEqualTo(batches.WastedPipelineMinutes, "a pipeline cancelled before a runner took it cost nothing");
    }
}
