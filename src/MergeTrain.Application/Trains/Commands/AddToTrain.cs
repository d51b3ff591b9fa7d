using System.Net;
using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Mediation;
using MergeTrain.Application.Repositories;
using MergeTrain.Application.Trains.Queries;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;

namespace MergeTrain.Application.Trains.Commands;

/// <summary>
/// Add a merge request to its target branch's train (<c>POST .../merge_trains/merge_requests/:iid</c>):
/// the MR is read from GitLab, the target head fetched, and the engine decides at once.
/// </summary>
public sealed record AddToTrain(string Project, int Iid, string? Sha, string Actor) : IRequest<TrainCommandResult>, IValidatable
{
    /// <summary>GitLab's <c>auto_merge</c>: join once the MR's own merged results pipeline passes.</summary>
    public bool AutoMerge { get; init; }

    /// <summary>
    /// MergeTrain's <c>priority</c> (GitLab has none): a high-priority MR goes ahead of the normal
    /// cars that have not started merging; on an MR already on the train it raises its priority.
    /// </summary>
    public string? Priority { get; init; }

    /// <summary>GitLab's <c>squash</c> (<c>true</c>/<c>false</c>): squash the MR's commits when merged; none follows the MR's own setting. The project's <c>squash_option</c> decides in the end.</summary>
    public string? Squash { get; init; }

    /// <summary>The parsed <see cref="Squash"/>; null when none was given.</summary>
    public bool? ParsedSquash => ApiBoolean.Parse(Squash);

    /// <summary>The parsed <see cref="Priority"/>; normal when none was given.</summary>
    public CarPriority ParsedPriority => CarPriorityNames.TryParse(Priority, out var priority) ? priority : CarPriority.Normal;

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (Iid <= 0)
        {
            yield return "iid must be a positive number";
        }

        if (Sha is { Length: > 0 } sha && (sha.Length is < 7 or > 64 || !sha.All(Uri.IsHexDigit)))
        {
            yield return "sha must be a commit SHA";
        }

        if (Squash is { Length: > 0 } && ParsedSquash is null)
        {
            yield return "squash is invalid";
        }

        if (Priority is { Length: > 0 } name && !CarPriorityNames.TryParse(name, out _))
        {
            yield return $"priority must be one of {string.Join(", ", CarPriorityNames.All)}";
        }

        if (AutoMerge && ParsedPriority != CarPriority.Normal)
        {
            // Waiting for the MR's own merged results pipeline keeps no priority: ask for it when the MR joins.
            yield return "priority cannot be combined with auto_merge";
        }
    }
}

/// <summary>Handles <see cref="AddToTrain"/>.</summary>
public sealed class AddToTrainHandler(
    ProjectCatalog projects,
    IGitLabApi gitLab,
    ProjectRepositories repositories,
    TrainProcessor processor,
    DbSession session,
    TimeProvider clock) : IRequestHandler<AddToTrain, TrainCommandResult>
{
    /// <inheritdoc/>
    public async Task<TrainCommandResult> Handle(AddToTrain request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (projects.Find(request.Project) is not { } project)
        {
            return TrainCommandResult.ProjectNotFound;
        }

        GitLabMergeRequest mergeRequest;
        try
        {
            mergeRequest = await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, request.Iid, cancellationToken);
        }
        catch (GitLabApiException error) when (error.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return TrainCommandResult.Error((int)HttpStatusCode.NotFound, "404 Merge request Not Found");
        }

        await repositories.FetchAsync(project).WaitAsync(cancellationToken);
        var targetHead = repositories.For(project).ResolveBranch(mergeRequest.TargetBranch);
        if (targetHead is null)
        {
            return TrainCommandResult.Error((int)HttpStatusCode.BadRequest, $"Target branch '{mergeRequest.TargetBranch}' does not exist");
        }

        var (connection, transaction) = await session.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var train = await TrainStore.EnsureTrainAsync(connection, transaction, project.Id, project.Path, mergeRequest.TargetBranch, targetHead, now);
        var snapshot = TrainFacts.Snapshot(mergeRequest);
        var decision = await processor.DecideNowAsync(
            connection, transaction, train,
            [
                new TargetBranchMoved(targetHead, request.Actor),
                request.AutoMerge ? new AutoMergeRequested(snapshot, request.Sha, request.Actor) : new MergeRequestAdded(snapshot, request.Sha, request.Actor) { Priority = request.ParsedPriority, Squash = request.ParsedSquash },
            ],
            session.Wakeups,
            cancellationToken);
        if (decision.Rejection is { } rejection)
        {
            return TrainCommandResult.Refused(rejection);
        }

        // After the train's lock, like the webhook processor does: one lock order, no deadlock.
        await TrainFacts.RememberAsync(connection, transaction, mergeRequest, now);

        var cars = await CarQueries.ActiveAsync(connection, project.Id, mergeRequest.TargetBranch, cancellationToken);
        return TrainCommandResult.Ok((int)HttpStatusCode.Created, cars.Select(CarJson.From).ToList());
    }
}
