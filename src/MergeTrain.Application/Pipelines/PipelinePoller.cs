using MergeTrain.Application.Configuration;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Application.Pipelines;

/// <summary>
/// The fallback for lost pipeline hooks: a recurring job (<c>MaintenanceJobs.PollPipelines</c>) asks GitLab about pipelines that are
/// running by our last word and have been quiet for a while, and feeds any change to their train
/// as if the hook had come.
/// </summary>
public sealed class PipelinePoller(
    NpgsqlDataSource dataSource,
    ProjectCatalog projects,
    IGitLabApi gitLab,
    TrainProcessor processor,
    IOptions<PipelinePollingOptions> options,
    TimeProvider clock,
    ILogger<PipelinePoller> logger)
{
    private const int PerRound = 50;

    /// <summary>One round: asks about the quietest pipelines, at most a round's worth.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var pipeline in await TrainStore.QuietPipelinesAsync(connection, now - options.Value.QuietFor, PerRound))
        {
            await PollAsync(connection, pipeline, cancellationToken);
        }
    }

    private async Task PollAsync(NpgsqlConnection connection, QuietPipeline pipeline, CancellationToken cancellationToken)
    {
        if (projects.Find(pipeline.ProjectId) is not { } project)
        {
            return;
        }

        var current = await gitLab.GetPipelineAsync(project.GitLab, project.Id, pipeline.Id, cancellationToken);
        if (current.Status == pipeline.Status || !GitLabNames.TryParsePipelineStatus(current.Status, out var status))
        {
            return;
        }

        logger.LogInformation("Pipeline {PipelineId} is {Status} though no hook said so; telling its train", pipeline.Id, current.Status);
        var wakeups = new Wakeups();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await processor.SubmitAsync(connection, transaction, pipeline.TrainId, new PipelineStatusChanged(pipeline.Id, current.Sha, current.Ref, status, current.WebUrl), "poll", wakeups);
            await transaction.CommitAsync(cancellationToken);
        }

        processor.Wake(wakeups);
    }
}
