using System.Security.Cryptography;
using System.Text;
using MediatR;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Application.Diagnostics;
using MergeTrain.Application.Trains.Commands;
using MergeTrain.Application.Webhooks;
using MergeTrain.GitLab.Webhooks;
using MergeTrain.Postgres.Webhooks;
using MergeTrain.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// <c>POST /webhooks/gitlab</c> (SPEC section 5): a secret that matches no project → 401 before
/// the body is read, nothing stored (counted in <c>mergetrain_webhooks_refused_total</c> and
/// logged); a body over 25 MiB → 413, counted on the bytes actually read; a malformed payload, an
/// unknown event or an identifying header over 255 characters → 400; otherwise stored and answered 202, processed in the background.
/// </summary>
public static class WebhookEndpoint
{
    private const int MaxBodyBytes = 25 * 1024 * 1024;
    private const int MaxIdentifierLength = 255;
    private const string EventUuidHeader = "X-Gitlab-Event-UUID";
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Maps the endpoint; it authenticates by webhook secret, not by API token.</summary>
    public static IEndpointRouteBuilder MapGitLabWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhooks/gitlab", ReceiveAsync).AllowAnonymous().WithTags("Webhooks").WithName("GitLabWebhook");
        return endpoints;
    }

    private static async Task<Results<Accepted<ApiMessage>, JsonHttpResult<ApiMessage>>> ReceiveAsync(
        HttpRequest request, ProjectCatalog projects, DatabaseReadiness readiness, IMediator mediator, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // The secret names the project; nothing of a stranger's request is read or kept.
        var secret = request.Headers["X-Gitlab-Token"].FirstOrDefault() ?? "";
        var project = projects.All.FirstOrDefault(p => ApiTokenAuthentication.SameSecret(p.WebhookSecret, secret));
        if (project is null)
        {
            MergeTrainMetrics.WebhooksRefused.Add(1, new KeyValuePair<string, object?>("reason", "invalid_token"));
            loggers.CreateLogger(typeof(WebhookEndpoint)).LogWarning(
                "Webhook from {RemoteAddress} refused: its X-Gitlab-Token matches no project", request.HttpContext.Connection.RemoteIpAddress);
            return TypedResults.Json(new ApiMessage("401 Unauthorized - invalid X-Gitlab-Token"), statusCode: StatusCodes.Status401Unauthorized);
        }

        if (OverlongHeader(request) is { } overlong)
        {
            return TypedResults.Json(
                new ApiMessage($"400 Bad request - the {overlong} header is longer than {MaxIdentifierLength} characters"), statusCode: StatusCodes.Status400BadRequest);
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        var eventName = request.Headers["X-Gitlab-Event"].FirstOrDefault();
        var delivery = new WebhookDelivery(
            null, eventName, request.Headers[EventUuidHeader].FirstOrDefault(), request.Headers[IdempotencyKeyHeader].FirstOrDefault(),
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), null);

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

    // GitLab's identifiers are UUIDs (36 characters). They are unique keys of webhook_deliveries,
    // and PostgreSQL refuses index entries over about 2.7 kB: a longer value must be refused here.
    private static string? OverlongHeader(HttpRequest request) =>
        new[] { "X-Gitlab-Event", EventUuidHeader, IdempotencyKeyHeader }.FirstOrDefault(name => request.Headers[name].ToString().Length > MaxIdentifierLength);

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Content-Length may be absent (chunked) or lie: the limit is on the bytes read.
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static BadHttpRequestException TooLarge()
    {
        MergeTrainMetrics.WebhooksRefused.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
        return new BadHttpRequestException("413 Payload Too Large - a webhook payload is at most 25 MiB", StatusCodes.Status413PayloadTooLarge);
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
