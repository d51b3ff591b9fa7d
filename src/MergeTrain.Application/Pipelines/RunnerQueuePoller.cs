using System.Collections.Concurrent;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Application.Pipelines;

/// <summary>
/// A recurring job (<c>MaintenanceJobs.PollRunnerQueues</c>, as often as the pipeline poll) asks
/// GitLab how many jobs of each project whose window follows the runners
/// (<see cref="TrainSettings.WindowFollowsRunners"/>) wait for a runner, and tells the project's
/// trains (<see cref="RunnerQueueReported"/>). While jobs wait, every round is told, since the
/// runners' share of the train changes as its pipelines start and end; once none waits, that is told
/// once. What was last told is kept in memory only: after a restart the first round tells it again,
/// which the engine takes as the same news. A project GitLab does not answer for keeps its trains'
/// last answer; the others are still asked, and the round then fails, for the Failed jobs page.
/// </summary>
public sealed class RunnerQueuePoller(
    NpgsqlDataSource dataSource,
    ProjectCatalog projects,
    IGitLabApi gitLab,
    TrainProcessor processor,
    ILogger<RunnerQueuePoller> logger)
{
    private readonly ConcurrentDictionary<long, int> _told = new();

    /// <summary>One round over every project that asks for it.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        foreach (var project in projects.All.Where(project => project.Settings.WindowFollowsRunners))
        {
            int pending;
            try
            {
                pending = (await gitLab.ListPendingJobsAsync(project.GitLab, project.Id, cancellationToken)).Count;
            }
            catch (Exception error) when (error is GitLabUnavailableException or GitLabApiException)
            {
                logger.LogWarning("Asking GitLab which jobs of project {ProjectId} wait for a runner failed ({Reason}); its trains keep the last answer", project.Id, error.Message);
                failures.Add(error);
                continue;
            }

            // -1: nothing told since this process started.
            var before = _told.GetValueOrDefault(project.Id, -1);
            if (pending == 0 && before == 0)
            {
                continue;
            }

            await TellTrainsAsync(project.Id, pending, cancellationToken);
            if (pending > 0 && before <= 0)
            {
                logger.LogInformation("{Count} job(s) of project {ProjectId} wait for a runner: its trains start no more pipelines than the runners run", pending, project.Id);
            }
            else if (pending == 0 && before > 0)
            {
                logger.LogInformation("No job of project {ProjectId} waits for a runner any more: its trains run as many pipelines as their window lets", project.Id);
            }

            _told[project.Id] = pending;
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("GitLab did not say which jobs wait for a runner for every project.", failures);
        }
    }

    private async Task TellTrainsAsync(long projectId, int pending, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var wakeups = new Wakeups();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var trainId in await TrainStore.TrainIdsOfProjectAsync(connection, projectId))
            {
                await processor.SubmitAsync(connection, transaction, trainId, new RunnerQueueReported(pending), "poll", wakeups);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        processor.Wake(wakeups);
    }
}
