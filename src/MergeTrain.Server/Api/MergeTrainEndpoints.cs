using System.Security.Claims;
using System.Text.Json;
using MediatR;
using MergeTrain.Application.Trains.Commands;
using MergeTrain.Application.Trains.Queries;

namespace MergeTrain.Server.Api;

/// <summary>The GitLab-compatible merge trains API (SPEC section 6): parse, authorise, send, map.</summary>
public static class MergeTrainEndpoints
{
    /// <summary>Maps the API under <c>/api/v4/projects/{id}</c>.</summary>
    public static IEndpointRouteBuilder MapMergeTrainApi(this IEndpointRouteBuilder endpoints)
    {
        var project = endpoints.MapGroup("/api/v4/projects/{id}").RequireAuthorization().WithTags("Merge trains");
        project.MapGet("/merge_trains", ListAsync).WithName("ListMergeTrains");
        project.MapGet("/merge_trains/merge_requests/{iid:int}", GetCarAsync).WithName("GetMergeTrainCar");
        project.MapPost("/merge_trains/merge_requests/{iid:int}", AddAsync).WithName("AddToMergeTrain");
        project.MapDelete("/merge_trains/merge_requests/{iid:int}", RemoveAsync).WithName("RemoveFromMergeTrain");
        project.MapPost("/merge_requests/{iid:int}/cancel_merge_when_pipeline_succeeds", RemoveAsync).WithName("CancelMergeWhenPipelineSucceeds");
        project.MapGet("/merge_trains/{targetBranch}", ListBranchAsync).WithName("ListMergeTrainOfBranch");

        var operators = project.MapGroup("/merge_trains/{targetBranch}").RequireAuthorization(ApiTokenAuthentication.AdminPolicy);
        operators.MapPost("/pause", (string id, string targetBranch, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            OperateAsync(mediator, new OperateTrain(id, Decode(targetBranch), TrainOperation.Pause, null, Actor(user)), ct)).WithName("PauseMergeTrain");
        operators.MapPost("/resume", (string id, string targetBranch, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            OperateAsync(mediator, new OperateTrain(id, Decode(targetBranch), TrainOperation.Resume, null, Actor(user)), ct)).WithName("ResumeMergeTrain");
        operators.MapPost("/merge_requests/{iid:int}/merge_immediately", MergeImmediatelyAsync).WithName("MergeImmediately");
        return endpoints;
    }

    private static Task<IResult> ListAsync(
        string id, string? scope, string? sort, int? page, int? per_page, bool? include_dropped, HttpResponse response, IMediator mediator, CancellationToken ct) =>
        PageAsync(mediator, new ListCars(id, null, scope, sort, page ?? 1, per_page ?? 20) { IncludeDropped = include_dropped ?? false }, response, ct);

    private static Task<IResult> ListBranchAsync(
        string id, string targetBranch, string? scope, string? sort, int? page, int? per_page, bool? include_dropped, HttpResponse response, IMediator mediator, CancellationToken ct) =>
        PageAsync(mediator, new ListCars(id, Decode(targetBranch), scope, sort, page ?? 1, per_page ?? 20) { IncludeDropped = include_dropped ?? false }, response, ct);

    // include_dropped is a MergeTrain extension: GitLab deletes the car of an MR that left the train unmerged.
    private static async Task<IResult> GetCarAsync(string id, int iid, bool? include_dropped, IMediator mediator, CancellationToken ct) =>
        await mediator.Send(new GetCar(id, iid) { IncludeDropped = include_dropped ?? false }, ct) is { } car
            ? TypedResults.Ok(car)
            : TypedResults.NotFound(new ApiMessage("404 Merge Train Not Found"));

    private static async Task<IResult> AddAsync(string id, int iid, HttpRequest request, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var parameters = await ParametersAsync(request, ct);
        var sha = parameters.GetValueOrDefault("sha");
        var autoMerge = parameters.GetValueOrDefault("auto_merge") is "true" or "1";

        // A MergeTrain extension: GitLab's add has no priority.
        var priority = parameters.GetValueOrDefault("priority");
        var squash = parameters.GetValueOrDefault("squash");
        return ToResult(await mediator.Send(new AddToTrain(id, iid, string.IsNullOrEmpty(sha) ? null : sha, Actor(user)) { AutoMerge = autoMerge, Priority = priority, Squash = squash }, ct));
    }

    /// <summary>
    /// GitLab takes its parameters from the query, a form or a JSON body alike. A body that cannot
    /// be read as what its content type says (broken JSON, text that is not Unicode, a broken
    /// multipart, a form over the framework's limits) is the client's error: 400, before anything
    /// is sent on.
    /// </summary>
    private static async Task<Dictionary<string, string>> ParametersAsync(HttpRequest request, CancellationToken ct)
    {
        var parameters = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (request.HasJsonContentType() && request.ContentLength is not 0)
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                if (body.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in body.RootElement.EnumerateObject())
                    {
                        parameters.TryAdd(property.Name, property.Value.ValueKind switch
                        {
                            JsonValueKind.String => property.Value.GetString()!,
                            JsonValueKind.True => "true",
                            JsonValueKind.False => "false",
                            _ => property.Value.GetRawText(),
                        });
                    }
                }
            }
            catch (JsonException error)
            {
                throw Unreadable($"the body is not valid JSON ({error.Message})");
            }
            catch (InvalidOperationException error)
            {
                // System.Text.Json decodes strings lazily: invalid UTF-8 or an unpaired surrogate surfaces here.
                throw Unreadable($"the body holds text that is not valid Unicode ({error.Message})");
            }
        }
        else if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception error) when (error is InvalidDataException or IOException and not BadHttpRequestException)
            {
                // The form reader's limits (1024 fields, 4 MiB a value, 128 a boundary) and its parse
                // errors are InvalidDataException; a multipart that ends early is an IOException. Kestrel's
                // own BadHttpRequestException (a body over its limit: 413) is an IOException too and goes on as it is.
                throw Unreadable($"the form cannot be read ({error.Message})");
            }

            foreach (var field in form)
            {
                parameters.TryAdd(field.Key, field.Value.ToString());
            }
        }

        return parameters;
    }

    private static BadHttpRequestException Unreadable(string why) => new(why, StatusCodes.Status400BadRequest);

    private static async Task<IResult> RemoveAsync(string id, int iid, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        ToResult(await mediator.Send(new RemoveFromTrain(id, iid, Actor(user)), ct));

    // restart_train=false (a MergeTrain extension) keeps the train where the project allows it.
    private static async Task<IResult> MergeImmediatelyAsync(string id, string targetBranch, int iid, HttpRequest request, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var parameters = await ParametersAsync(request, ct);
        var command = new OperateTrain(id, Decode(targetBranch), TrainOperation.MergeImmediately, iid, Actor(user)) { RestartTrain = parameters.GetValueOrDefault("restart_train") };
        return await OperateAsync(mediator, command, ct);
    }

    private static async Task<IResult> OperateAsync(IMediator mediator, OperateTrain command, CancellationToken ct) =>
        ToResult(await mediator.Send(command, ct));

    private static async Task<IResult> PageAsync(IMediator mediator, ListCars query, HttpResponse response, CancellationToken ct)
    {
        if (await mediator.Send(query, ct) is not { } page)
        {
            return TypedResults.NotFound(new ApiMessage("404 Project Not Found"));
        }

        // GitLab's offset pagination headers.
        var totalPages = Math.Max(1, (int)Math.Ceiling(page.Total / (double)page.PerPage));
        response.Headers["X-Page"] = page.Page.ToString();
        response.Headers["X-Per-Page"] = page.PerPage.ToString();
        response.Headers["X-Total"] = page.Total.ToString();
        response.Headers["X-Total-Pages"] = totalPages.ToString();
        response.Headers["X-Next-Page"] = page.Page < totalPages ? (page.Page + 1).ToString() : "";
        response.Headers["X-Prev-Page"] = page.Page > 1 ? (page.Page - 1).ToString() : "";
        return TypedResults.Ok(page.Cars);
    }

    private static IResult ToResult(TrainCommandResult result) =>
        result.Message is { } message
            ? TypedResults.Json(new ApiMessage(message), statusCode: result.StatusCode)
            : TypedResults.Json(result.Value, statusCode: result.StatusCode);

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "api";

    private static string Decode(string targetBranch) => Uri.UnescapeDataString(targetBranch);
}
