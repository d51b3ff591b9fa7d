using System.Security.Cryptography;
using System.Text;
using MediatR;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Server.Api;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Database;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// <c>POST /webhooks/gitlab</c> (SPEC section 5): a secret that matches no project → 401 and
/// nothing of the payload kept; a malformed payload or an unknown event → 400; otherwise stored
/// and answered 202, processed in the background.
/// </summary>
public static class WebhookEndpoint
{
    private const int MaxBodyBytes = 25 * 1024 * 1024;

    /// <summary>Maps the endpoint; it authenticates by webhook secret, not by API token.</summary>
    public static IEndpointRouteBuilder MapGitLabWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhooks/gitlab", ReceiveAsync).AllowAnonymous().WithTags("Webhooks").WithName("GitLabWebhook");
        return endpoints;
    }

    private static async Task<Results<Accepted<ApiMessage>, JsonHttpResult<ApiMessage>>> ReceiveAsync(
        HttpRequest request, ProjectCatalog projects, DatabaseReadiness readiness, IMediator mediator, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        var eventName = request.Headers["X-Gitlab-Event"].FirstOrDefault();
        var delivery = new WebhookDelivery(
            null, eventName, request.Headers["X-Gitlab-Event-UUID"].FirstOrDefault(), request.Headers["Idempotency-Key"].FirstOrDefault(),
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), null);

        // The secret names the project; the payload must be about that same project.
        var secret = request.Headers["X-Gitlab-Token"].FirstOrDefault() ?? "";
        var project = projects.All.FirstOrDefault(p => ApiTokenAuthentication.SameSecret(p.WebhookSecret, secret));
        if (project is null)
        {
            await RecordRejectedAsync(readiness, delivery, "invalid X-Gitlab-Token", clock, cancellationToken);
            return TypedResults.Json(new ApiMessage("401 Unauthorized - invalid X-Gitlab-Token"), statusCode: StatusCodes.Status401Unauthorized);
        }

        GitLabWebhookEvent parsed;
        try
        {
            parsed = GitLabWebhookParser.Parse(eventName, body);
        }
        catch (WebhookParseException error)
        {
            return TypedResults.Json(new ApiMessage($"400 Bad request - {error.Message}"), statusCode: StatusCodes.Status400BadRequest);
        }

        if (parsed.ProjectId is { } projectId && projectId != project.Id)
        {
            await RecordRejectedAsync(readiness, delivery with { ProjectId = projectId }, $"the secret is project {project.Id}'s, the payload is about project {projectId}", clock, cancellationToken);
            return TypedResults.Json(new ApiMessage("401 Unauthorized - the secret does not belong to this project"), statusCode: StatusCodes.Status401Unauthorized);
        }

        var outcome = await mediator.Send(new ReceiveWebhook(delivery with { ProjectId = project.Id, Body = body }), cancellationToken);
        return TypedResults.Accepted((string?)null, new ApiMessage(outcome == WebhookOutcome.Duplicate ? "202 Accepted (duplicate)" : "202 Accepted"));
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new BadHttpRequestException("the payload is larger than 25 MiB", StatusCodes.Status413PayloadTooLarge);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static async Task RecordRejectedAsync(DatabaseReadiness readiness, WebhookDelivery delivery, string reason, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The operator sees that something knocked; what it said is not kept.
        if (readiness.DataSource is { } dataSource)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await WebhookDeliveryStore.RecordRejectedAsync(connection, delivery, reason, clock.GetUtcNow(), cancellationToken);
        }
    }
}
