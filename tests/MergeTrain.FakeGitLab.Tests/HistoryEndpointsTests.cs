using System.Text.Json.Nodes;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.FakeGitLab.Tests;

/// <summary>The endpoints a history reader calls, against a generated history: filters, order, pagination, MR pipelines.</summary>
public sealed class HistoryEndpointsTests
{
    private const long ProjectId = 7;

    private FakeGitLab _gitLab = null!;
    private HttpClient _http = null!;
    private IReadOnlyList<GeneratedMergeRequest> _history = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _gitLab = await FakeGitLab.StartAsync();
        await _gitLab.AddProjectAsync(ProjectId, "acme/history");
        _history = _gitLab.GenerateMergedHistory(ProjectId, new MergedHistoryOptions { Count = 120, Span = TimeSpan.FromDays(14), BadShare = 0.1, FlakyShare = 0.1 });
        _http = new HttpClient { BaseAddress = new Uri(_gitLab.ApiUrl + "/") };
        _http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", _gitLab.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _gitLab.DisposeAsync();
    }

    [Test]
    public async Task Merged_MRs_created_after_a_date_come_newest_first_in_pages_with_GitLabs_headers()
    {
        var after = _history[60].MergeRequest.CreatedAt;
        var seen = new List<JsonObject>();
        var page = "1";
        var pages = 0;
        while (page.Length > 0)
        {
            using var response = await _http.GetAsync($"projects/{ProjectId}/merge_requests?state=merged&created_after={Uri.EscapeDataString(after.ToString("O"))}&per_page=25&page={page}");
            response.EnsureSuccessStatusCode();
            response.Headers.GetValues("X-Total").Single().ShouldBe("60");
            response.Headers.GetValues("X-Total-Pages").Single().ShouldBe("3");
            response.Headers.GetValues("X-Per-Page").Single().ShouldBe("25");
            seen.AddRange(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(n => n!.AsObject()));
            page = response.Headers.GetValues("X-Next-Page").Single();
            pages++;
        }

        pages.ShouldBe(3);
        seen.Select(m => (long)m["iid"]!).ShouldBe(_history.Skip(60).Reverse().Select(h => h.MergeRequest.Iid));
        seen.ShouldAllBe(m => (string)m["state"]! == "merged" && m["merged_at"] != null && m["created_at"] != null);
        seen[0].ContainsKey("diff_refs").ShouldBeFalse("the list form leaves out what only the single MR carries");
    }

    [Test]
    public async Task Filters_GitLab_does_not_know_are_refused()
    {
        using var state = await _http.GetAsync($"projects/{ProjectId}/merge_requests?state=done");
        using var date = await _http.GetAsync($"projects/{ProjectId}/merge_requests?created_after=yesterday");

        ((int)state.StatusCode).ShouldBe(400);
        (await state.Content.ReadAsStringAsync()).ShouldBe("""{"error":"state does not have a valid value"}""");
        ((int)date.StatusCode).ShouldBe(400);
        (await date.Content.ReadAsStringAsync()).ShouldBe("""{"error":"created_after is invalid"}""");
    }

    [Test]
    public async Task An_MRs_pipelines_show_the_fix_of_a_bad_MR_and_the_rerun_of_a_flaky_one_with_their_durations()
    {
        var bad = _history.First(h => h.Bad);
        var flaky = _history.First(h => h.Flaky);
        var good = _history.First(h => !h.Bad && !h.Flaky);

        var badPipelines = await PipelinesAsync(bad.MergeRequest.Iid);
        var flakyPipelines = await PipelinesAsync(flaky.MergeRequest.Iid);
        var goodPipelines = await PipelinesAsync(good.MergeRequest.Iid);

        // Newest first: the pass, then the failure it followed.
        badPipelines.Select(p => (string)p["status"]!).ShouldBe(["success", "failed"]);
        ((string)badPipelines[0]["sha"]!).ShouldNotBe((string)badPipelines[1]["sha"]!);
        ((string)badPipelines[0]["sha"]!).ShouldBe(bad.MergeRequest.Sha);
        flakyPipelines.Select(p => (string)p["status"]!).ShouldBe(["success", "failed"]);
        ((string)flakyPipelines[0]["sha"]!).ShouldBe((string)flakyPipelines[1]["sha"]!);
        goodPipelines.Select(p => (string)p["status"]!).ShouldBe(["success"]);
        ((string)goodPipelines[0]["ref"]!).ShouldBe($"refs/merge-requests/{good.MergeRequest.Iid}/head");

        var detail = JsonNode.Parse(await _http.GetStringAsync($"projects/{ProjectId}/pipelines/{(long)goodPipelines[0]["id"]!}"))!;
        ((int)detail["duration"]!).ShouldBe((int)good.PipelineDuration.TotalSeconds);
        var started = DateTimeOffset.Parse((string)detail["started_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        var finished = DateTimeOffset.Parse((string)detail["finished_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        (finished - started).ShouldBe(good.PipelineDuration);
    }

    [Test]
    public async Task The_pipelines_of_an_MR_that_does_not_exist_are_404()
    {
        using var response = await _http.GetAsync($"projects/{ProjectId}/merge_requests/9999/pipelines");

        ((int)response.StatusCode).ShouldBe(404);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"message":"404 Not found"}""");
    }

    private async Task<List<JsonObject>> PipelinesAsync(long iid) =>
        [.. JsonNode.Parse(await _http.GetStringAsync($"projects/{ProjectId}/merge_requests/{iid}/pipelines"))!.AsArray().Select(n => n!.AsObject())];
}
