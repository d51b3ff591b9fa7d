using System.Net;
using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Mediation;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;

namespace MergeTrain.Application.Trains.Commands;

/// <summary>
/// Take a merge request off its train (<c>DELETE .../merge_trains/merge_requests/:iid</c> and
/// <c>POST .../merge_requests/:iid/cancel_merge_when_pipeline_succeeds</c>).
/// </summary>
public sealed record RemoveFromTrain(string Project, int Iid, string Actor) : IRequest<TrainCommandResult>;

/// <summary>Handles <see cref="RemoveFromTrain"/>.</summary>
public sealed class RemoveFromTrainHandler(ProjectCatalog projects, TrainProcessor processor, DbSession session) : IRequestHandler<RemoveFromTrain, TrainCommandResult>
{
    /// <inheritdoc/>
    public async Task<TrainCommandResult> Handle(RemoveFromTrain request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (projects.Find(request.Project) is not { } project)
        {
            return TrainCommandResult.ProjectNotFound;
        }

        var (connection, transaction) = await session.OpenAsync(cancellationToken);
        var car = await CarQueries.ForMergeRequestAsync(connection, project.Id, request.Iid, cancellationToken);
        if (car is not { FinishedAt: null } || await TrainStore.FindTrainIdAsync(connection, transaction, project.Id, car.TargetBranch) is not { } train)
        {
            return TrainCommandResult.TrainNotFound;
        }

        var decision = await processor.DecideNowAsync(connection, transaction, train, [new MergeRequestRemoved(request.Iid, request.Actor)], session.Wakeups, cancellationToken);
        return decision.Rejection is { } rejection
            ? TrainCommandResult.Refused(rejection)
            : TrainCommandResult.Ok((int)HttpStatusCode.Accepted, new ApiMessage("202 Accepted"));
    }
}
