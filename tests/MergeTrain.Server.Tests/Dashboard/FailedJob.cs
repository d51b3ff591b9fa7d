using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using MergeTrain.Application.Jobs;
using MergeTrain.Server.Jobs;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>
/// A job that fails for real: the webhook drain of a project that is not configured throws
/// <see cref="PermanentJobFailureException"/>, which the retry policy does not retry, so it lands
/// in Hangfire's Failed list at once; requeued, it runs and fails again.
/// </summary>
internal static class FailedJob
{
    private const long UnconfiguredProject = 999_001;

    /// <summary>Enqueues it through the server's own Hangfire client and waits until it failed; returns its id.</summary>
    public static async Task<string> CreateAsync(RunningServer server)
    {
        var id = server.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<WebhookJobs>(jobs => jobs.Drain(UnconfiguredProject, CancellationToken.None));
        await WaitForFailuresAsync(server, id, 1);
        return id;
    }

    /// <summary>The job's states, newest first, as Hangfire's monitoring API tells them.</summary>
    public static IReadOnlyList<StateHistoryDto> History(RunningServer server, string id) =>
        server.Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(id)?.History.ToList() ?? [];

    /// <summary>Waits until the job is Failed with at least <paramref name="failures"/> failures in its history.</summary>
    public static Task WaitForFailuresAsync(RunningServer server, string id, int failures) => TrainWorld.WaitUntilAsync(
        () => Task.FromResult(History(server, id) is { Count: > 0 } history
            && history[0].StateName == FailedState.StateName
            && history.Count(state => state.StateName == FailedState.StateName) >= failures),
        $"job {id} to have failed {failures} time(s)",
        TimeSpan.FromSeconds(30));
}
