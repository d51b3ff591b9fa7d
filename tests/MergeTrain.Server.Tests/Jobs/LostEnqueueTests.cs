using MergeTrain.Postgres.Work;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Jobs;

/// <summary>A crash between our commit and Hangfire's enqueue, injected: the sweeper repairs it.</summary>
public class LostEnqueueTests
{
    [Test]
    public async Task A_train_whose_refresh_job_was_never_enqueued_is_refreshed_by_the_next_sweep()
    {
        var lost = new LosingScheduler(refreshesToLose: 1);
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n" },
            maxParallelPipelines: 20,
            _ => [],
            services =>
            {
                // Every path to Hangfire goes through IWorkScheduler: wrap the real one.
                services.AddSingleton<MergeTrain.Server.Jobs.HangfireWorkScheduler>();
                services.AddSingleton<IWorkScheduler>(provider => lost.Wrapping(provider.GetRequiredService<MergeTrain.Server.Jobs.HangfireWorkScheduler>()));
            });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "1\n" });
        var added = DateTime.UtcNow;

        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();

        await world.WaitForPipelineAsync(mr.Iid);
        lost.Lost.ShouldBe([WorkRequest.RefreshTrain(await world.QueryAsync<long>("SELECT id FROM trains"))], "the train's first refresh job was lost after its commit");
        (DateTime.UtcNow - added).ShouldBeLessThan(TimeSpan.FromSeconds(20), "within a sweep: 1 s rounds, work lost after 2 s");
        world.CarPipelines.Count.ShouldBe(1);
    }

    /// <summary>Forwards to the real scheduler, except for the first refreshes, which vanish as if the process had died after the commit.</summary>
    private sealed class LosingScheduler(int refreshesToLose)
    {
        private int _toLose = refreshesToLose;

        public List<WorkRequest> Lost { get; } = [];

        public IWorkScheduler Wrapping(IWorkScheduler real) => new Wrapper(this, real);

        private sealed class Wrapper(LosingScheduler owner, IWorkScheduler real) : IWorkScheduler
        {
            public void Enqueue(WorkRequest request)
            {
                // The first refresh ever enqueued comes from a request path (webhook or API),
                // never from the sweeper, which only enqueues requests older than its cutoff.
                if (request.Kind == WorkRequest.RefreshTrainKind && Interlocked.Decrement(ref owner._toLose) >= 0)
                {
                    lock (owner.Lost)
                    {
                        owner.Lost.Add(request);
                    }

                    return;
                }

                real.Enqueue(request);
            }

            public void Schedule(WorkRequest request, DateTimeOffset at) => real.Schedule(request, at);
        }
    }
}
