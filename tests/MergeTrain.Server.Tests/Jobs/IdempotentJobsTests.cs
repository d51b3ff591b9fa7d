using Hangfire;
using MergeTrain.Server.Jobs;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Jobs;

/// <summary>Jobs run more often than asked for (a burst, a requeue by hand): every effect still happens once.</summary>
public class IdempotentJobsTests
{
    [Test]
    public async Task A_train_refreshed_by_many_jobs_at_once_and_by_a_requeued_job_performs_each_effect_once()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var ((first, _), (second, _), (third, _)) = await world.HeldTrainOfThreeAsync();
        var train = await world.QueryAsync<long>("SELECT id FROM trains");
        var jobs = world.Server.Services.GetRequiredService<IBackgroundJobClient>();
        var storage = world.Server.Services.GetRequiredService<JobStorage>();

        // Dropping the middle car makes work for the train: the last car is rebuilt, its pipeline
        // cancelled and a new one started. Thirty refresh jobs race for that work.
        using (var removed = await world.Api.DeleteAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{second.Iid}"))
        {
            removed.EnsureSuccessStatusCode();
        }

        var enqueued = Enumerable.Range(0, 30).AsParallel().Select(_ => jobs.Enqueue<TrainJobs>(j => j.Refresh(train, CancellationToken.None))).ToList();
        await world.WaitUntilQuietAsync();

        // An operator requeues one of the finished refresh jobs from the dashboard.
        var requeued = enqueued[^1];
        jobs.Requeue(requeued).ShouldBeTrue();
        await TrainWorld.WaitUntilAsync(
            () => Task.FromResult(storage.GetMonitoringApi().JobDetails(requeued).History.Count(h => h.StateName == "Succeeded") == 2),
            "the requeued job to succeed a second time");
        await world.WaitUntilQuietAsync();

        (await world.QueryAsync<long>("SELECT count(*) FROM train_effects WHERE attempts <> 1")).ShouldBe(0, "every effect was performed by one attempt");
        world.CarPipelines.GroupBy(p => p.Sha).ShouldAllBe(g => g.Count() == 1, "no car commit got two pipelines");
        world.CarPipelines.Count(p => p.Ref.EndsWith($"/{third.Iid}", StringComparison.Ordinal)).ShouldBe(2, "the last car's first pipeline and the one after the rebuild");

        world.GitLab.Ci.HoldPipelines = false;
        world.GitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(first.Iid, "merged");
        await world.WaitForCarAsync(third.Iid, "merged");
        foreach (var mr in new[] { first, third })
        {
            var notes = world.GitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Select(n => n.Body).ToList();
            notes.ShouldBe(notes.Distinct().ToList(), $"no note on !{mr.Iid} was posted twice");
        }
    }
}
