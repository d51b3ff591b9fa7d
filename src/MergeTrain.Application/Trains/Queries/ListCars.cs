using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Mediation;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Api;

namespace MergeTrain.Application.Trains.Queries;

/// <summary>
/// A page of a project's cars, of all its trains or of one target branch
/// (<c>GET .../merge_trains[/:target_branch]</c>), with GitLab's parameters.
/// </summary>
public sealed record ListCars(string Project, string? TargetBranch, string? Scope, string? Sort, int Page, int PerPage) : IRequest<CarPage?>, IValidatable
{
    /// <summary>
    /// MergeTrain's <c>include_dropped</c> (GitLab deletes a car that leaves unmerged): dropped cars
    /// too, with <c>"status": "dropped"</c>, in a listing without a scope or with <c>scope=complete</c>.
    /// </summary>
    public bool IncludeDropped { get; init; }

    /// <summary>GitLab's largest page.</summary>
    public const int MaxPerPage = 100;

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (Scope is not (null or "active" or "complete"))
        {
            yield return "scope does not have a valid value";
        }

        if (Sort is not (null or "asc" or "desc"))
        {
            yield return "sort does not have a valid value";
        }

        if (TargetBranch is not null && GitRefName.Problem(TargetBranch) is { } problem)
        {
            yield return $"target_branch is not a branch name ({problem})";
        }

        if (Page < 1)
        {
            yield return "page must be at least 1";
        }

        if (PerPage is < 1 or > MaxPerPage)
        {
            yield return $"per_page must be between 1 and {MaxPerPage}";
        }
    }
}

/// <summary>One page of cars and what GitLab's pagination headers say about it.</summary>
public sealed record CarPage(IReadOnlyList<CarJson> Cars, int Page, int PerPage, long Total);

/// <summary>Handles <see cref="ListCars"/>; null when the project is unknown.</summary>
public sealed class ListCarsHandler(ProjectCatalog projects, DbSession session) : IRequestHandler<ListCars, CarPage?>
{
    /// <inheritdoc/>
    public async Task<CarPage?> Handle(ListCars request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (projects.Find(request.Project) is not { } project)
        {
            return null;
        }

        var (connection, _) = await session.OpenAsync(cancellationToken);
        var (cars, total) = await CarQueries.PageAsync(
            connection, project.Id, request.TargetBranch, request.Scope, request.IncludeDropped, request.Sort == "asc", request.Page, request.PerPage, cancellationToken);
        return new CarPage(cars.Select(CarJson.From).ToList(), request.Page, request.PerPage, total);
    }
}
