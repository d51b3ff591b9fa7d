using MergeTrain.Application.Database;
using MergeTrain.Postgres.Migrations;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MergeTrain.Server.Health;

/// <summary><c>/healthz</c> (the process is up) and <c>/readyz</c> (the database is reachable and migrated).</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Maps both probes; they need no token.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok", null)))
            .WithName("Liveness").WithTags("Health");
        endpoints.MapGet("/readyz", ReadinessAsync)
            .WithName("Readiness").WithTags("Health");
        return endpoints;
    }

    private static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ReadinessResponse>>> ReadinessAsync(
        DatabaseReadiness readiness, CancellationToken cancellationToken)
    {
        if (readiness.DataSource is not { } dataSource)
        {
            return Unavailable(new ReadinessResponse(readiness.Status.ToString().ToLowerInvariant(), readiness.Detail, null));
        }

        try
        {
            // A live round trip, not a cached flag: a server that died after start-up is not ready.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            var version = await MigrationRunner.SchemaVersionAsync(connection, timeout.Token);
            return TypedResults.Ok(new ReadinessResponse("ready", readiness.Detail, version));
        }
        catch (Exception error) when (error is NpgsqlException or OperationCanceledException)
        {
            return Unavailable(new ReadinessResponse("unavailable", $"database unreachable: {error.Message}", null));
        }
    }

    private static JsonHttpResult<ReadinessResponse> Unavailable(ReadinessResponse body) =>
        TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>The body of <c>/healthz</c>.</summary>
    public sealed record HealthResponse(string Status, string? Detail);

    /// <summary>The body of <c>/readyz</c>: status, what it concerns, and the schema version when ready.</summary>
    public sealed record ReadinessResponse(string Status, string Detail, int? SchemaVersion);
}
