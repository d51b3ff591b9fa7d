using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Simulator.Tests;

/// <summary>The synthetic CI's jobs: what fails, and how long a retry of the failed jobs takes.</summary>
public class JobModelTests
{
    private static readonly JobModel Jobs = JobModel.Default;

    [Test]
    public void A_retry_of_one_job_takes_that_jobs_share_of_the_pipeline()
    {
        var pipeline = TimeSpan.FromMinutes(30);

        Jobs.RunTime(pipeline, Jobs.All).ShouldBe(pipeline);
        Jobs.RunTime(pipeline, JobModel.Only(2)).ShouldBe(TimeSpan.FromMinutes(12));
        Jobs.Names(JobModel.Only(2)).ShouldBe(["integration-tests"]);
    }

    [Test]
    public void A_broken_job_fails_on_every_run_that_runs_it_and_only_then()
    {
        var random = new Random(1);
        var broken = JobModel.Only(1);
        for (var run = 0; run < 200; run++)
        {
            Jobs.Outcome(Jobs.All, broken, 0, random).ShouldBe((broken, 0));
            Jobs.Outcome(broken, broken, 0, random).ShouldBe((broken, 0));
            Jobs.Outcome(JobModel.Only(3), broken, 0, random).ShouldBe((0, 0));
        }
    }

    [Test]
    public void A_flake_fails_one_job_of_those_run_as_often_as_asked()
    {
        var random = new Random(7);
        var retried = JobModel.Only(0) | JobModel.Only(2);
        var flakes = 0;
        for (var run = 0; run < 10_000; run++)
        {
            var (failed, flaked) = Jobs.Outcome(retried, 0, 0.1, random);
            failed.ShouldBe(flaked);
            if (flaked != 0)
            {
                flakes++;
                (flaked & retried).ShouldBe(flaked);
                Jobs.Names(flaked).Count.ShouldBe(1);
            }
        }

        flakes.ShouldBeInRange(900, 1100);
    }

    [Test]
    public void A_flake_on_a_broken_job_is_not_counted_as_a_flake()
    {
        var broken = JobModel.Only(0);

        var (failed, flaked) = Jobs.Outcome(broken, broken, 1, new Random(3));

        failed.ShouldBe(broken);
        flaked.ShouldBe(0);
    }
}
