using Hangfire;
using MergeTrain.Application.Jobs;
using MergeTrain.Server.Jobs;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Jobs;

public class RetryPolicyTests
{
    [Test]
    public void Retries_back_off_as_attempt_to_the_fourth_plus_one_seconds_capped_at_a_day()
    {
        RetryPolicy.BaseDelay(1).ShouldBe(TimeSpan.FromSeconds(2));
        RetryPolicy.BaseDelay(2).ShouldBe(TimeSpan.FromSeconds(17));
        RetryPolicy.BaseDelay(3).ShouldBe(TimeSpan.FromSeconds(82));
        RetryPolicy.BaseDelay(10).ShouldBe(TimeSpan.FromSeconds(10_001));
        RetryPolicy.BaseDelay(25).ShouldBe(RetryPolicy.MaxDelay);
        var random = new Random(42);
        Enumerable.Range(1, 200).Select(_ => RetryPolicy.Delay(3, random).TotalSeconds).ShouldAllBe(s => s >= 82 * 0.9 && s <= 82 * 1.1);
    }

    [Test]
    public void Hangfire_retries_every_job_this_way_except_permanent_failures()
    {
        // Hangfire's log provider is process-wide; an earlier test's host may have left it pointing
        // at its disposed logger factory, which the filter's constructor asks for a logger.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var filter = RetryPolicy.Filter(new Random(1));

        filter.Attempts.ShouldBe(25);
        filter.ExceptOn.ShouldBe([typeof(PermanentJobFailureException)]);
        filter.OnAttemptsExceeded.ShouldBe(AttemptsExceededAction.Fail, "kept on the Failed page for an operator");
        filter.DelayInSecondsByAttemptFunc(2).ShouldBeInRange(15, 19);
    }

    [Test]
    public async Task A_permanent_failure_goes_to_the_failed_page_at_once_without_a_retry()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var jobs = world.Server.Services.GetRequiredService<IBackgroundJobClient>();
        var monitoring = world.Server.Services.GetRequiredService<JobStorage>().GetMonitoringApi();

        var id = jobs.Enqueue<WebhookJobs>(j => j.Drain(999, CancellationToken.None));

        await TrainWorld.WaitUntilAsync(() => Task.FromResult(monitoring.JobDetails(id).History.Any(h => h.StateName == "Failed")), "the job to fail");
        var history = monitoring.JobDetails(id).History.Select(h => h.StateName).ToList();
        history.ShouldNotContain("Scheduled", "a project that is not configured is not retried");
        monitoring.JobDetails(id).History.First(h => h.StateName == "Failed").Data["ExceptionMessage"].ShouldContain("Project 999 is no longer configured");
    }
}
