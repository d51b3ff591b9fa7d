using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>The GitLab v4 endpoints the fake serves, under <c>/api/v4</c>.</summary>
internal static class ApiEndpoints
{
    private static readonly string[] CommitStatusStates = ["pending", "running", "success", "failed", "canceled", "skipped"];
    private static readonly string[] JobScopes =
        ["created", "pending", "running", "failed", "success", "canceled", "skipped", "waiting_for_resource", "manual"];

    private static readonly string[] PipelineStatusFilter =
        ["created", "waiting_for_resource", "preparing", "pending", "running", "success", "failed", "canceled", "skipped", "manual", "scheduled"];

    // GitLab's accepted values of order_by on the pipelines list; id is the default.
    private static readonly string[] PipelineOrders = ["id", "status", "ref", "updated_at", "user_id"];

    public static void Map(WebApplication app, FakeGitLab fake)
    {
        app.Use((context, next) => ApiMiddleware.InvokeAsync(context, next, fake));

        var project = app.MapGroup("/api/v4/projects/{id}");
        project.MapGet("", (string id) => WithProject(fake, id, entry => ApiResults.Json(ApiJson.Project(entry.Project, fake.Store.MergeSettings(entry.Project.Id)))));
        project.MapPut("", (string id, HttpRequest request) => EditProjectAsync(fake, id, request));
        project.MapGet("/merge_requests/{iid:long}/approvals", (string id, long iid) => GetApprovals(fake, id, iid));
        project.MapPost("/merge_requests/{iid:long}/approve", (string id, long iid) => ApproveAsync(fake, id, iid, approve: true));
        project.MapPost("/merge_requests/{iid:long}/unapprove", (string id, long iid) => ApproveAsync(fake, id, iid, approve: false));
        project.MapGet("/merge_requests/{iid:long}/discussions", (string id, long iid) => ListDiscussions(fake, id, iid));
        project.MapPost("/merge_requests/{iid:long}/discussions", (string id, long iid, HttpRequest request) => CreateDiscussionAsync(fake, id, iid, request));
        project.MapPut("/merge_requests/{iid:long}/discussions/{discussionId}", (string id, long iid, string discussionId, HttpRequest request) =>
            ResolveDiscussionAsync(fake, id, iid, discussionId, request));
        project.MapGet("/merge_requests/{iid:long}", (string id, long iid) => GetMergeRequestAsync(fake, id, iid));
        MergeRequestListEndpoints.Map(project, fake);
        project.MapGet("/merge_requests/{iid:long}/notes", (string id, long iid) => ListNotes(fake, id, iid));
        project.MapPost("/merge_requests/{iid:long}/notes", (string id, long iid, HttpRequest request) => CreateNoteAsync(fake, id, iid, request));
        project.MapPost("/pipeline", (string id, HttpRequest request) => CreatePipelineAsync(fake, id, request));
        project.MapGet("/pipelines", (string id, HttpContext context) => ListPipelines(fake, id, context));
        project.MapGet("/pipelines/{pipelineId:long}", (string id, long pipelineId) => GetPipeline(fake, id, pipelineId));
        project.MapGet("/pipelines/{pipelineId:long}/variables", (string id, long pipelineId) => GetPipelineVariables(fake, id, pipelineId));
        project.MapPost("/pipelines/{pipelineId:long}/cancel", (string id, long pipelineId) => CancelPipelineAsync(fake, id, pipelineId));
        project.MapPost("/pipelines/{pipelineId:long}/retry", (string id, long pipelineId) => RetryPipelineAsync(fake, id, pipelineId));
        project.MapGet("/pipelines/{pipelineId:long}/jobs", (string id, long pipelineId, HttpContext context) => ListPipelineJobs(fake, id, pipelineId, context));
        project.MapGet("/jobs", (string id, HttpContext context) => ListProjectJobs(fake, id, context));
        project.MapPost("/statuses/{sha}", (string id, string sha, HttpRequest request) => CreateCommitStatusAsync(fake, id, sha, request));
        project.MapGet("/repository/commits/{sha}/statuses", (string id, string sha) => ListCommitStatuses(fake, id, sha));

        app.MapFallback("/api/v4/{**path}", () => ApiResults.Json(new JsonObject { ["error"] = "404 Not Found" }, StatusCodes.Status404NotFound));
    }

    private static IResult WithProject(FakeGitLab fake, string id, Func<ProjectEntry, IResult> action)
    {
        var entry = fake.Store.FindProject(Uri.UnescapeDataString(id));

        return entry is null ? ApiResults.NotFound("Project") : action(entry);
    }

    private static async Task<IResult> WithProjectAsync(FakeGitLab fake, string id, Func<ProjectEntry, Task<IResult>> action)
    {
        var entry = fake.Store.FindProject(Uri.UnescapeDataString(id));

        return entry is null ? ApiResults.NotFound("Project") : await action(entry);
    }

    private static Task<IResult> GetMergeRequestAsync(FakeGitLab fake, string id, long iid) => WithProjectAsync(fake, id, async entry =>
    {
        // Pushes made moments ago must show (a merged MR reads as merged), so look before answering.
        // Not waiting for the resulting deliveries: a receiver may be calling from its webhook handler.
        await fake.ScanRepositoriesAsync(waitForDeliveries: false);
        var mergeRequest = fake.Store.FindMergeRequest(entry.Project.Id, iid);

        return mergeRequest is null
            ? ApiResults.NotFound()
            : ApiResults.Json(ApiJson.MergeRequest(mergeRequest, entry.Project, fake.Store.MergeStatusOf(mergeRequest), fake.BaseUrl));
    });

    // GitLab's "Edit a project": of its many attributes, the fake takes the two merge checks it models.
    private static Task<IResult> EditProjectAsync(FakeGitLab fake, string id, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        var discussionsText = parameters["only_allow_merge_if_all_discussions_are_resolved"];
        if (discussionsText is not (null or "true" or "1" or "false" or "0"))
        {
            return ApiResults.Invalid("only_allow_merge_if_all_discussions_are_resolved");
        }

        bool? discussions = discussionsText is null ? null : discussionsText is "true" or "1";
        int? approvals = parameters["approvals_before_merge"] is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : -1
            : null;
        if (approvals < 0)
        {
            return ApiResults.Invalid("approvals_before_merge");
        }

        fake.Store.SetMergeSettings(entry.Project.Id, settings => settings with
        {
            ApprovalsRequired = approvals ?? settings.ApprovalsRequired,
            OnlyAllowMergeIfAllDiscussionsAreResolved = discussions ?? settings.OnlyAllowMergeIfAllDiscussionsAreResolved,
        });

        return ApiResults.Json(ApiJson.Project(entry.Project, fake.Store.MergeSettings(entry.Project.Id)));
    });

    private static IResult GetApprovals(FakeGitLab fake, string id, long iid) => WithProject(fake, id, entry =>
        fake.Store.FindMergeRequest(entry.Project.Id, iid) is { } mergeRequest
            ? ApiResults.Json(ApiJson.Approvals(mergeRequest, fake.Store.MergeStatusOf(mergeRequest), fake.BaseUrl))
            : ApiResults.NotFound());

    // GitLab answers 201 with the approvals; approving twice is 401, revoking an approval that is not there 404.
    private static Task<IResult> ApproveAsync(FakeGitLab fake, string id, long iid, bool approve) => WithProjectAsync(fake, id, async entry =>
    {
        if (fake.Store.FindMergeRequest(entry.Project.Id, iid) is null)
        {
            return ApiResults.NotFound();
        }

        var changed = approve ? await fake.ApproveAsync(entry.Project.Id, iid) : await fake.UnapproveAsync(entry.Project.Id, iid);
        if (!changed)
        {
            return approve ? ApiResults.Message(StatusCodes.Status401Unauthorized, "401 Unauthorized") : ApiResults.NotFound();
        }

        var mergeRequest = fake.Store.FindMergeRequest(entry.Project.Id, iid)!;

        return ApiResults.Json(ApiJson.Approvals(mergeRequest, fake.Store.MergeStatusOf(mergeRequest), fake.BaseUrl), StatusCodes.Status201Created);
    });

    private static IResult ListDiscussions(FakeGitLab fake, string id, long iid) => WithProject(fake, id, entry =>
    {
        if (fake.Store.FindMergeRequest(entry.Project.Id, iid) is not { } mergeRequest)
        {
            return ApiResults.NotFound();
        }

        var discussions = fake.Store.Discussions(entry.Project.Id, iid).Select(d => (JsonNode)ApiJson.Discussion(d, mergeRequest, fake.BaseUrl));

        return ApiResults.Json(new JsonArray([.. discussions]));
    });

    private static Task<IResult> CreateDiscussionAsync(FakeGitLab fake, string id, long iid, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        if (fake.Store.FindMergeRequest(entry.Project.Id, iid) is not { } mergeRequest)
        {
            return ApiResults.NotFound();
        }

        if (string.IsNullOrEmpty(parameters["body"]))
        {
            return ApiResults.Missing("body");
        }

        var (discussion, _) = await fake.AddDiscussionAsync(entry, mergeRequest, parameters["body"]!, fake.ApiUser);

        return ApiResults.Json(ApiJson.Discussion(discussion, mergeRequest, fake.BaseUrl), StatusCodes.Status201Created);
    });

    private static Task<IResult> ResolveDiscussionAsync(FakeGitLab fake, string id, long iid, string discussionId, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        if (fake.Store.FindMergeRequest(entry.Project.Id, iid) is not { } mergeRequest)
        {
            return ApiResults.NotFound();
        }

        bool resolved;
        switch (parameters["resolved"])
        {
            case null or "":
                return ApiResults.Missing("resolved");
            case "true" or "1":
                resolved = true;
                break;
            case "false" or "0":
                resolved = false;
                break;
            default:
                return ApiResults.Invalid("resolved");
        }

        return fake.SetResolved(entry.Project.Id, iid, discussionId, resolved, fake.ApiUser) is { } discussion
            ? ApiResults.Json(ApiJson.Discussion(discussion, mergeRequest, fake.BaseUrl))
            : ApiResults.NotFound();
    });

    private static IResult ListNotes(FakeGitLab fake, string id, long iid) => WithProject(fake, id, entry =>
    {
        var mergeRequest = fake.Store.FindMergeRequest(entry.Project.Id, iid);
        if (mergeRequest is null)
        {
            return ApiResults.NotFound();
        }

        var notes = fake.NotesOn(entry.Project.Id, iid).OrderByDescending(n => n.Id).Select(n => (JsonNode)ApiJson.Note(n, mergeRequest, fake.BaseUrl));

        return ApiResults.Json(new JsonArray([.. notes]));
    });

    private static Task<IResult> CreateNoteAsync(FakeGitLab fake, string id, long iid, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        var mergeRequest = fake.Store.FindMergeRequest(entry.Project.Id, iid);
        if (mergeRequest is null)
        {
            return ApiResults.NotFound();
        }

        if (string.IsNullOrEmpty(parameters["body"]))
        {
            return ApiResults.Missing("body");
        }

        var (note, _) = await fake.AddNoteAsync(entry, mergeRequest, parameters["body"]!, fake.ApiUser);

        return ApiResults.Json(ApiJson.Note(note, mergeRequest, fake.BaseUrl), StatusCodes.Status201Created);
    });

    private static Task<IResult> CreatePipelineAsync(FakeGitLab fake, string id, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        var reference = parameters["ref"];
        if (string.IsNullOrEmpty(reference))
        {
            return ApiResults.Missing("ref");
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters.Variables)
        {
            variables[key] = value;
        }

        var pipeline = await fake.CreatePipelineAsync(entry, reference, variables, fake.ApiUser, request.HttpContext.RequestAborted);
        if (pipeline is null)
        {
            return ApiResults.Json(
                new JsonObject { ["message"] = new JsonObject { ["base"] = new JsonArray("Reference not found") } },
                StatusCodes.Status400BadRequest);
        }

        return ApiResults.Json(ApiJson.Pipeline(pipeline, fake.BaseUrl), StatusCodes.Status201Created);
    });

    private static IResult ListPipelines(FakeGitLab fake, string id, HttpContext context) => WithProject(fake, id, entry =>
    {
        var query = context.Request.Query;
        IEnumerable<FakePipeline> pipelines = fake.Store.Pipelines().Where(p => p.ProjectId == entry.Project.Id);
        if (query["ref"].FirstOrDefault() is { Length: > 0 } reference)
        {
            pipelines = pipelines.Where(p => p.Ref == reference);
        }

        if (query["sha"].FirstOrDefault() is { Length: > 0 } sha)
        {
            pipelines = pipelines.Where(p => p.Sha == sha);
        }

        if (query["status"].FirstOrDefault() is { Length: > 0 } status)
        {
            if (!PipelineStatusFilter.Contains(status))
            {
                return ApiResults.Invalid("status");
            }

            pipelines = pipelines.Where(p => p.Status == status);
        }

        if (query["source"].FirstOrDefault() is { Length: > 0 } source)
        {
            pipelines = pipelines.Where(p => p.Source == source);
        }

        var orderBy = query["order_by"].FirstOrDefault() is { Length: > 0 } order ? order : "id";
        if (!PipelineOrders.Contains(orderBy))
        {
            return ApiResults.Invalid("order_by");
        }

        var sort = query["sort"].FirstOrDefault() is { Length: > 0 } direction ? direction : "desc";
        if (sort is not "asc" and not "desc")
        {
            return ApiResults.Invalid("sort");
        }

        pipelines = OrderPipelines(pipelines, orderBy, ascending: sort == "asc");
        var all = pipelines.ToList();
        var page = Math.Max(1, ParseInt(query["page"].FirstOrDefault(), 1));
        var perPage = Math.Clamp(ParseInt(query["per_page"].FirstOrDefault(), 20), 1, 100);
        var totalPages = Math.Max(1, (all.Count + perPage - 1) / perPage);
        AddPaginationHeaders(context, page, perPage, all.Count, totalPages);

        return ApiResults.Json(new JsonArray([.. all.Skip((page - 1) * perPage).Take(perPage).Select(p => (JsonNode)ApiJson.PipelineSummary(p))]));
    });

    /// <summary>Sorts by the chosen field, ties broken by id in the same direction (GitLab's keyset order).</summary>
    private static IEnumerable<FakePipeline> OrderPipelines(IEnumerable<FakePipeline> pipelines, string orderBy, bool ascending)
    {
        Func<FakePipeline, IComparable> key = orderBy switch
        {
            "status" => p => p.Status,
            "ref" => p => p.Ref,
            "updated_at" => p => p.UpdatedAt,
            "user_id" => p => p.User.Id,
            _ => p => p.Id,
        };
        return ascending
            ? pipelines.OrderBy(key).ThenBy(p => p.Id)
            : pipelines.OrderByDescending(key).ThenByDescending(p => p.Id);
    }

    private static IResult GetPipeline(FakeGitLab fake, string id, long pipelineId) => WithProject(fake, id, entry =>
    {
        var pipeline = fake.Store.FindPipeline(pipelineId);

        return pipeline is null || pipeline.ProjectId != entry.Project.Id
            ? ApiResults.NotFound()
            : ApiResults.Json(ApiJson.Pipeline(pipeline, fake.BaseUrl));
    });

    private static IResult GetPipelineVariables(FakeGitLab fake, string id, long pipelineId) => WithProject(fake, id, entry =>
    {
        var pipeline = fake.Store.FindPipeline(pipelineId);
        if (pipeline is null || pipeline.ProjectId != entry.Project.Id)
        {
            return ApiResults.NotFound();
        }

        var variables = pipeline.Variables.Select(v => (JsonNode)new JsonObject
        {
            ["variable_type"] = "env_var",
            ["key"] = v.Key,
            ["value"] = v.Value,
        });

        return ApiResults.Json(new JsonArray([.. variables]));
    });

    private static Task<IResult> CancelPipelineAsync(FakeGitLab fake, string id, long pipelineId) => WithProjectAsync(fake, id, async entry =>
    {
        var pipeline = fake.Store.FindPipeline(pipelineId);
        if (pipeline is null || pipeline.ProjectId != entry.Project.Id)
        {
            return ApiResults.NotFound();
        }

        var canceled = await fake.CancelPipelineAsync(entry, pipelineId) ?? pipeline;

        return ApiResults.Json(ApiJson.Pipeline(canceled, fake.BaseUrl));
    });

    // GitLab: 201 with the pipeline, whose failed and cancelled jobs have new jobs and which is pending again.
    private static Task<IResult> RetryPipelineAsync(FakeGitLab fake, string id, long pipelineId) => WithProjectAsync(fake, id, async entry =>
    {
        var pipeline = fake.Store.FindPipeline(pipelineId);
        if (pipeline is null || pipeline.ProjectId != entry.Project.Id)
        {
            return ApiResults.NotFound();
        }

        var retried = await fake.RetryPipelineAsync(entry, pipelineId) ?? pipeline;

        return ApiResults.Json(ApiJson.Pipeline(retried, fake.BaseUrl), StatusCodes.Status201Created);
    });

    // GitLab's GET /projects/:id/jobs: the jobs of every pipeline of the project, newest first; scope
    // (scope[] repeated) filters by status. The jobs a retry replaced are listed too, as GitLab does here.
    private static IResult ListProjectJobs(FakeGitLab fake, string id, HttpContext context) => WithProject(fake, id, entry =>
        JobsPage(
            fake,
            context.Request.Query,
            fake.Store.Pipelines()
                .Where(pipeline => pipeline.ProjectId == entry.Project.Id)
                .SelectMany(pipeline => pipeline.Jobs.Select(job => (job, pipeline)))));

    // GitLab: the latest try of each job, newest first; scope (scope[] repeated) filters by status,
    // include_retried=true adds the jobs a retry replaced.
    private static IResult ListPipelineJobs(FakeGitLab fake, string id, long pipelineId, HttpContext context) => WithProject(fake, id, entry =>
    {
        var pipeline = fake.Store.FindPipeline(pipelineId);
        if (pipeline is null || pipeline.ProjectId != entry.Project.Id)
        {
            return ApiResults.NotFound();
        }

        var query = context.Request.Query;
        var jobs = query["include_retried"].FirstOrDefault() == "true" ? pipeline.Jobs : pipeline.LatestJobs;

        return JobsPage(fake, query, jobs.Select(job => (job, pipeline)));
    });

    // What both job lists share: scope (scope[] repeated) filters by status, newest first, per_page up to 100.
    private static IResult JobsPage(FakeGitLab fake, IQueryCollection query, IEnumerable<(FakeJob Job, FakePipeline Pipeline)> jobs)
    {
        var scopes = query["scope[]"].Concat(query["scope"]).Where(scope => !string.IsNullOrEmpty(scope)).ToList();
        if (scopes.Any(scope => !JobScopes.Contains(scope)))
        {
            return ApiResults.Invalid("scope");
        }

        var perPage = Math.Clamp(ParseInt(query["per_page"].FirstOrDefault(), 20), 1, 100);

        return ApiResults.Json(new JsonArray([.. jobs
            .Where(pair => scopes.Count == 0 || scopes.Contains(pair.Job.Status))
            .OrderByDescending(pair => pair.Job.Id)
            .Take(perPage)
            .Select(pair => (JsonNode)ApiJson.Job(pair.Job, pair.Pipeline, fake.BaseUrl))]));
    }

    private static Task<IResult> CreateCommitStatusAsync(FakeGitLab fake, string id, string sha, HttpRequest request) => WithProjectAsync(fake, id, async entry =>
    {
        var parameters = await RequestParameters.ReadAsync(request);
        if (parameters is null)
        {
            return ApiResults.Message(StatusCodes.Status400BadRequest, "400 Bad request - malformed JSON body");
        }

        var state = parameters["state"];
        if (string.IsNullOrEmpty(state))
        {
            return ApiResults.Missing("state");
        }

        if (!CommitStatusStates.Contains(state))
        {
            return ApiResults.Invalid("state");
        }

        var resolved = await entry.Repository.ResolveAsync(sha, request.HttpContext.RequestAborted);
        if (resolved is null || !resolved.StartsWith(sha, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.NotFound("Commit");
        }

        var name = parameters["name"] ?? parameters["context"] ?? "default";
        var status = fake.Store.AddStatus(statusId => new FakeCommitStatus(
            statusId, entry.Project.Id, resolved, parameters["ref"], state, name, parameters["target_url"], parameters["description"], fake.ApiUser, fake.Now));

        return ApiResults.Json(ApiJson.CommitStatus(status, fake.BaseUrl), StatusCodes.Status201Created);
    });

    private static IResult ListCommitStatuses(FakeGitLab fake, string id, string sha) => WithProject(fake, id, entry =>
    {
        var statuses = fake.Store.Statuses()
            .Where(s => s.ProjectId == entry.Project.Id && s.Sha.StartsWith(sha, StringComparison.OrdinalIgnoreCase))
            .Select(s => (JsonNode)ApiJson.CommitStatus(s, fake.BaseUrl));

        return ApiResults.Json(new JsonArray([.. statuses]));
    });

    internal static void AddPaginationHeaders(HttpContext context, int page, int perPage, int total, int totalPages)
    {
        var headers = context.Response.Headers;
        headers["X-Page"] = page.ToString(CultureInfo.InvariantCulture);
        headers["X-Per-Page"] = perPage.ToString(CultureInfo.InvariantCulture);
        headers["X-Total"] = total.ToString(CultureInfo.InvariantCulture);
        headers["X-Total-Pages"] = totalPages.ToString(CultureInfo.InvariantCulture);
        headers["X-Next-Page"] = page < totalPages ? (page + 1).ToString(CultureInfo.InvariantCulture) : "";
        headers["X-Prev-Page"] = page > 1 ? (page - 1).ToString(CultureInfo.InvariantCulture) : "";

        var request = context.Request;
        var baseLink = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        string Link(int target, string rel)
        {
            var query = request.Query
                .Where(q => q.Key is not "page" and not "per_page")
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"page={target}")
                .Append($"per_page={perPage}");

            return $"<{baseLink}?{string.Join('&', query)}>; rel=\"{rel}\"";
        }

        var links = new List<string>();
        if (page > 1)
        {
            links.Add(Link(page - 1, "prev"));
        }

        if (page < totalPages)
        {
            links.Add(Link(page + 1, "next"));
        }

        links.Add(Link(1, "first"));
        links.Add(Link(totalPages, "last"));
        headers.Link = string.Join(", ", links);
    }

    internal static int ParseInt(string? value, int fallback) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : fallback;
}
