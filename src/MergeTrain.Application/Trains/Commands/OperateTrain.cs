using System.Net;
using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Mediation;
using MergeTrain.Application.Trains.Queries;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;

namespace MergeTrain.Application.Trains.Commands;

/// <summary>What an operator asks of a train.</summary>
public enum TrainOperation
{
    /// <summary>Start no pipelines and merge nothing until resumed.</summary>
    Pause,

    /// <summary>Catch up.</summary>
    Resume,

    /// <summary>Merge one MR now as merge(target head, MR head) and rebuild the train (or keep it: <see cref="OperateTrain.RestartTrain"/>).</summary>
    MergeImmediately,
}

/// <summary>An operator action on a train (admin token): pause, resume, or merge one MR immediately.</summary>
public sealed record OperateTrain(string Project, string TargetBranch, TrainOperation Operation, int? Iid, string Actor) : IRequest<TrainCommandResult>, IValidatable
{
    /// <summary>
    /// A MergeTrain extension of merge immediately (<c>true</c>/<c>false</c>, default true): <c>false</c>
    /// keeps the train, where the project allows it (<c>SkipTrainAllowed</c>), as GitLab's "merge now
    /// and don't restart train".
    /// </summary>
    public string? RestartTrain { get; init; }

    /// <summary>Whether <see cref="RestartTrain"/> asks to keep the train; null when it cannot be read.</summary>
    public bool? KeepTrain => string.IsNullOrWhiteSpace(RestartTrain) ? false : !ApiBoolean.Parse(RestartTrain);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(TargetBranch))
        {
            yield return "target_branch is required";
        }
        else if (GitRefName.Problem(TargetBranch) is { } problem)
        {
            yield return $"target_branch is not a branch name ({problem})";
        }

        if (Operation == TrainOperation.MergeImmediately && Iid is not > 0)
        {
            yield return "merge_immediately needs a merge request iid";
        }

        if (KeepTrain is null)
        {
            yield return "restart_train is invalid";
        }
    }
}

/// <summary>Handles <see cref="OperateTrain"/>.</summary>
public sealed class OperateTrainHandler(ProjectCatalog projects, TrainProcessor processor, DbSession session) : IRequestHandler<OperateTrain, TrainCommandResult>
{
    /// <inheritdoc/>
    public async Task<TrainCommandResult> Handle(OperateTrain request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (projects.Find(request.Project) is not { } project)
        {
            return TrainCommandResult.ProjectNotFound;
        }

        var (connection, transaction) = await session.OpenAsync(cancellationToken);
        if (await TrainStore.FindTrainIdAsync(connection, transaction, project.Id, request.TargetBranch) is not { } train)
        {
            return TrainCommandResult.TrainNotFound;
        }

        TrainEvent trainEvent = request.Operation switch
        {
            TrainOperation.Pause => new TrainPaused(request.Actor),
            TrainOperation.Resume => new TrainResumed(request.Actor),
            _ => new MergeImmediatelyRequested(request.Iid!.Value, request.Actor) { KeepTrain = request.KeepTrain ?? false },
        };
        var decision = await processor.DecideNowAsync(connection, transaction, train, [trainEvent], session.Wakeups, cancellationToken);
        if (decision.Rejection is { } rejection)
        {
            return TrainCommandResult.Refused(rejection);
        }

        var cars = await CarQueries.ActiveAsync(connection, project.Id, request.TargetBranch, cancellationToken);
        return TrainCommandResult.Ok((int)HttpStatusCode.OK, cars.Select(CarJson.From).ToList());
    }
}
