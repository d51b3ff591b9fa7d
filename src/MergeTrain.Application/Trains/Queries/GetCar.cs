using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Mediation;
using MergeTrain.Postgres.Api;

namespace MergeTrain.Application.Trains.Queries;

/// <summary>The car of one merge request (<c>GET .../merge_trains/merge_requests/:iid</c>); null when there is none.</summary>
public sealed record GetCar(string Project, int Iid) : IRequest<CarJson?>
{
    /// <summary>MergeTrain's <c>include_dropped</c>: the MR's latest car even when it was dropped (GitLab deletes those).</summary>
    public bool IncludeDropped { get; init; }
}

/// <summary>Handles <see cref="GetCar"/>.</summary>
public sealed class GetCarHandler(ProjectCatalog projects, DbSession session) : IRequestHandler<GetCar, CarJson?>
{
    /// <inheritdoc/>
    public async Task<CarJson?> Handle(GetCar request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (projects.Find(request.Project) is not { } project)
        {
            return null;
        }

        var (connection, _) = await session.OpenAsync(cancellationToken);
        var car = await CarQueries.ForMergeRequestAsync(connection, project.Id, request.Iid, cancellationToken, request.IncludeDropped);
        return car is null ? null : CarJson.From(car);
    }
}
