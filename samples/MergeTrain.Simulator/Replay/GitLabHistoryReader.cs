using System.Globalization;
using System.Text.Json;

namespace MergeTrain.Simulator.Replay;

/// <summary>
/// Reads a project's merged MRs and their pipelines with GitLab's v4 API (plain HTTP and JSON: the
/// simulator does not depend on the server): the MR list filtered by <c>state=merged</c> and
/// <c>created_after</c>, each MR's pipelines, and each finished pipeline's details for its duration.
/// Pages are followed by <c>X-Next-Page</c>.
/// </summary>
internal sealed class GitLabHistoryReader(HttpClient http, Uri gitLabUrl, string project)
{
    // A few requests at once: fast enough for a month of MRs, gentle on a real instance.
    private const int Concurrency = 4;

    private readonly string _projectRoot = $"{gitLabUrl.ToString().TrimEnd('/')}/api/v4/projects/{Uri.EscapeDataString(project)}";

    /// <summary>Every MR merged and created since <paramref name="createdAfter"/>, with its pipelines oldest first.</summary>
    public async Task<IReadOnlyList<HistoryMergeRequest>> ReadAsync(DateTimeOffset createdAfter, CancellationToken cancellationToken = default)
    {
        var after = Uri.EscapeDataString(createdAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var listed = await PagesAsync($"{_projectRoot}/merge_requests?state=merged&created_after={after}&order_by=created_at&sort=asc", cancellationToken);
        var result = new HistoryMergeRequest[listed.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, listed.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var mr = listed[i];
                var iid = mr.GetProperty("iid").GetInt32();
                var pipelines = new List<HistoryPipeline>();
                foreach (var summary in await PagesAsync($"{_projectRoot}/merge_requests/{iid}/pipelines", token))
                {
                    var status = summary.GetProperty("status").GetString()!;

                    // Only a finished pipeline has a duration worth fetching.
                    var detail = status is "success" or "failed"
                        ? await GetAsync($"{_projectRoot}/pipelines/{summary.GetProperty("id").GetInt64()}", token)
                        : summary;
                    pipelines.Add(new HistoryPipeline(
                        detail.GetProperty("id").GetInt64(),
                        detail.GetProperty("ref").GetString()!,
                        detail.GetProperty("sha").GetString()!,
                        status,
                        Time(detail, "created_at")!.Value,
                        Time(detail, "finished_at"),
                        detail.TryGetProperty("duration", out var duration) && duration.ValueKind == JsonValueKind.Number ? (int)duration.GetDouble() : null));
                }

                result[i] = new HistoryMergeRequest(iid, Time(mr, "created_at")!.Value, Time(mr, "merged_at"), [.. pipelines.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id)]);
            });

        return result;
    }

    private async Task<List<JsonElement>> PagesAsync(string url, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var page = "1";
        while (page.Length > 0)
        {
            using var response = await http.GetAsync($"{url}{separator}per_page=100&page={page}", cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            items.AddRange(document.RootElement.EnumerateArray().Select(item => item.Clone()));
            page = response.Headers.TryGetValues("X-Next-Page", out var next) ? next.FirstOrDefault() ?? "" : "";
        }

        return items;
    }

    private async Task<JsonElement> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.Clone();
    }

    // The URL and GitLab's own message, never the request's headers (they hold the token).
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"GitLab answered {(int)response.StatusCode} to GET {response.RequestMessage?.RequestUri}: {body}", null, response.StatusCode);
        }
    }

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
}
