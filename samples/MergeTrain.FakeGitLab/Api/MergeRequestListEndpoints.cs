using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>
/// GitLab's "List project merge requests" and "List merge request pipelines": what a reader of a
/// project's history (the simulator's replay) calls, with GitLab's filters, order and pagination headers.
/// </summary>
internal static class MergeRequestListEndpoints
{
    private static readonly string[] States = ["opened", "closed", "locked", "merged", "all"];
    private static readonly string[] Orders = ["created_at", "updated_at", "merged_at", "title"];

    public static void Map(RouteGroupBuilder project, FakeGitLab fake)
    {
        project.MapGet("/merge_requests", (string id, HttpContext context) => ListMergeRequests(fake, id, context));
        project.MapGet("/merge_requests/{iid:long}/pipelines", (string id, long iid, HttpContext context) => ListMergeRequestPipelines(fake, id, iid, context));
    }

    private static IResult ListMergeRequests(FakeGitLab fake, string id, HttpContext context)
    {
        var entry = fake.Store.FindProject(Uri.UnescapeDataString(id));
        if (entry is null)
        {
            return ApiResults.NotFound("Project");
        }

        var query = context.Request.Query;
        IEnumerable<FakeMergeRequest> mergeRequests = fake.Store.MergeRequests().Where(m => m.ProjectId == entry.Project.Id);
        var state = query["state"].FirstOrDefault() is { Length: > 0 } given ? given : "all";
        if (!States.Contains(state))
        {
            return ApiResults.Invalid("state");
        }

        if (state != "all")
        {
            mergeRequests = mergeRequests.Where(m => m.State == state);
        }

        foreach (var (name, after) in new[] { ("created_after", true), ("created_before", false), ("updated_after", true), ("updated_before", false) })
        {
            if (query[name].FirstOrDefault() is not { Length: > 0 } text)
            {
                continue;
            }

            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var bound))
            {
                return ApiResults.Json(new JsonObject { ["error"] = name + " is invalid" }, StatusCodes.Status400BadRequest);
            }

            Func<FakeMergeRequest, DateTimeOffset> field = name.StartsWith("created", StringComparison.Ordinal) ? m => m.CreatedAt : m => m.UpdatedAt;

            // GitLab's bounds are inclusive: created_after is "created on or after".
            mergeRequests = after ? mergeRequests.Where(m => field(m) >= bound) : mergeRequests.Where(m => field(m) <= bound);
        }

        var orderBy = query["order_by"].FirstOrDefault() is { Length: > 0 } order ? order : "created_at";
        if (!Orders.Contains(orderBy))
        {
            return ApiResults.Invalid("order_by");
        }

        var sort = query["sort"].FirstOrDefault() is { Length: > 0 } direction ? direction : "desc";
        if (sort is not "asc" and not "desc")
        {
            return ApiResults.Invalid("sort");
        }

        Func<FakeMergeRequest, IComparable> key = orderBy switch
        {
            "updated_at" => m => m.UpdatedAt,
            "merged_at" => m => m.MergedAt ?? DateTimeOffset.MinValue,
            "title" => m => m.Title,
            _ => m => m.CreatedAt,
        };
        mergeRequests = sort == "asc" ? mergeRequests.OrderBy(key).ThenBy(m => m.Id) : mergeRequests.OrderByDescending(key).ThenByDescending(m => m.Id);

        return Page(context, mergeRequests.ToList(), m => ListForm(ApiJson.MergeRequest(m, entry.Project, fake.Store.MergeStatusOf(m), fake.BaseUrl)));
    }

    // GitLab lists every pipeline run for the MR: its branch's and its refs/merge-requests/:iid/* refs', newest first.
    private static IResult ListMergeRequestPipelines(FakeGitLab fake, string id, long iid, HttpContext context)
    {
        var entry = fake.Store.FindProject(Uri.UnescapeDataString(id));
        if (entry is null)
        {
            return ApiResults.NotFound("Project");
        }

        if (fake.Store.FindMergeRequest(entry.Project.Id, iid) is not { } mergeRequest)
        {
            return ApiResults.NotFound();
        }

        var prefix = $"refs/merge-requests/{iid}/";
        var pipelines = fake.Store.Pipelines()
            .Where(p => p.ProjectId == entry.Project.Id && (p.Ref == mergeRequest.SourceBranch || p.Ref.StartsWith(prefix, StringComparison.Ordinal)))
            .OrderByDescending(p => p.Id)
            .ToList();

        return Page(context, pipelines, ApiJson.PipelineSummary);
    }

    private static IResult Page<T>(HttpContext context, List<T> all, Func<T, JsonObject> render)
    {
        var query = context.Request.Query;
        var page = Math.Max(1, ApiEndpoints.ParseInt(query["page"].FirstOrDefault(), 1));
        var perPage = Math.Clamp(ApiEndpoints.ParseInt(query["per_page"].FirstOrDefault(), 20), 1, 100);
        var totalPages = Math.Max(1, (all.Count + perPage - 1) / perPage);
        ApiEndpoints.AddPaginationHeaders(context, page, perPage, all.Count, totalPages);

        return ApiResults.Json(new JsonArray([.. all.Skip((page - 1) * perPage).Take(perPage).Select(item => (JsonNode)render(item))]));
    }

    // The list omits what only the single-MR endpoint computes (GitLab documents the single form's extra fields).
    private static JsonObject ListForm(JsonObject mergeRequest)
    {
        foreach (var name in new[] { "subscribed", "changes_count", "latest_build_started_at", "latest_build_finished_at", "first_deployed_to_production_at", "pipeline", "head_pipeline", "diff_refs", "merge_error", "first_contribution", "user" })
        {
            mergeRequest.Remove(name);
        }

        return mergeRequest;
    }
}
