using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.FakeGitLab.Tests;

/// <summary>
/// The fake computes <c>detailed_merge_status</c> from its state as GitLab does: the project's
/// required approvals and threads setting, the MR's approvals, threads and draft flag.
/// </summary>
public sealed class MergeChecksTests
{
    private const long ProjectId = 42;
    private const string Secret = "hook-secret";

    private FakeGitLab _gitLab = null!;
    private HookReceiver _receiver = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _gitLab = await FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(50) });
        _receiver = await HookReceiver.StartAsync();
        _gitLab.AddWebhook(_receiver.Url, Secret);
        await _gitLab.AddProjectAsync(ProjectId, "acme/widgets", new Dictionary<string, string> { ["README.md"] = "hello\n" });
        _http = new HttpClient { BaseAddress = new Uri(_gitLab.ApiUrl + "/") };
        _http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", _gitLab.Token);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _gitLab.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Test]
    public async Task A_merge_request_needs_its_approvals_and_is_mergeable_once_approved()
    {
        using (var edit = await _http.PutAsJsonAsync($"projects/{ProjectId}", new { approvals_before_merge = 1 }))
        {
            edit.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await edit.Content.ReadFromJsonAsync<JsonObject>())!["approvals_before_merge"]!.GetValue<int>().ShouldBe(1);
        }

        var mr = await OpenAsync("feature");
        var before = await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}");
        before["detailed_merge_status"]!.GetValue<string>().ShouldBe("not_approved");
        var approvals = await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/approvals");
        approvals["approved"]!.GetValue<bool>().ShouldBeFalse();
        approvals["approvals_left"]!.GetValue<int>().ShouldBe(1);

        using (var approve = await _http.PostAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/approve", null))
        {
            approve.StatusCode.ShouldBe(HttpStatusCode.Created);
            var body = (await approve.Content.ReadFromJsonAsync<JsonObject>())!;
            body["approved"]!.GetValue<bool>().ShouldBeTrue();
            body["approved_by"]![0]!["user"]!["username"]!.GetValue<string>().ShouldBe(_gitLab.ApiUser.Username);
        }

        (await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}"))["detailed_merge_status"]!.GetValue<string>().ShouldBe("mergeable");
        using (var again = await _http.PostAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/approve", null))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "GitLab refuses a second approval by the same user");
        }

        await FakeGitLab.WaitUntilAsync(() => _receiver.Events("Merge Request Hook").Any(e => Action(e.Json) == "approved"), because: "the approved hook");
        var approvedHook = _receiver.Events("Merge Request Hook").Last(e => Action(e.Json) == "approved").Json;
        approvedHook["object_attributes"]!["detailed_merge_status"]!.GetValue<string>().ShouldBe("mergeable");

        using (var unapprove = await _http.PostAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/unapprove", null))
        {
            unapprove.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        (await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}"))["detailed_merge_status"]!.GetValue<string>().ShouldBe("not_approved");
        await FakeGitLab.WaitUntilAsync(() => _receiver.Events("Merge Request Hook").Any(e => Action(e.Json) == "unapproved"), because: "the unapproved hook");
    }

    [Test]
    public async Task Unresolved_threads_block_only_where_the_project_requires_them_resolved()
    {
        var mr = await OpenAsync("threads");
        var thread = await _gitLab.StartThreadAsync(ProjectId, mr.Iid, "Why this name?");
        var status = await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}");
        status["detailed_merge_status"]!.GetValue<string>().ShouldBe("mergeable", "threads do not block unless the project says so");
        status["blocking_discussions_resolved"]!.GetValue<bool>().ShouldBeTrue();

        using (var edit = await _http.PutAsJsonAsync($"projects/{ProjectId}", new { only_allow_merge_if_all_discussions_are_resolved = true }))
        {
            edit.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        status = await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}");
        status["detailed_merge_status"]!.GetValue<string>().ShouldBe("discussions_not_resolved");
        status["blocking_discussions_resolved"]!.GetValue<bool>().ShouldBeFalse();
        var discussions = (await _http.GetFromJsonAsync<JsonArray>($"projects/{ProjectId}/merge_requests/{mr.Iid}/discussions"))!;
        var listed = discussions.ShouldHaveSingleItem()!;
        listed["id"]!.GetValue<string>().ShouldBe(thread.Id);
        listed["notes"]![0]!["resolvable"]!.GetValue<bool>().ShouldBeTrue();
        listed["notes"]![0]!["resolved"]!.GetValue<bool>().ShouldBeFalse();
        listed["notes"]![0]!["body"]!.GetValue<string>().ShouldBe("Why this name?");

        using (var resolve = await _http.PutAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/discussions/{thread.Id}?resolved=true", null))
        {
            resolve.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["notes"]![0]!["resolved"]!.GetValue<bool>().ShouldBeTrue();
        }

        (await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}"))["detailed_merge_status"]!.GetValue<string>().ShouldBe("mergeable");

        using (var created = await _http.PostAsJsonAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/discussions", new { body = "One more thing" }))
        {
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        (await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}"))["detailed_merge_status"]!.GetValue<string>().ShouldBe("discussions_not_resolved");
        using var missing = await _http.PutAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}/discussions/{new string('0', 40)}?resolved=true", null);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Draft_comes_before_threads_and_approvals_and_a_closed_merge_request_is_not_open()
    {
        _gitLab.SetMergeSettings(ProjectId, approvalsRequired: 2, onlyAllowMergeIfAllDiscussionsAreResolved: true);
        var mr = await OpenAsync("order");
        await _gitLab.StartThreadAsync(ProjectId, mr.Iid, "Not yet");
        await _gitLab.SetDraftAsync(ProjectId, mr.Iid, draft: true);
        _gitLab.GetMergeStatus(ProjectId, mr.Iid).Detailed.ShouldBe("draft_status");

        await _gitLab.SetDraftAsync(ProjectId, mr.Iid, draft: false);
        _gitLab.GetMergeStatus(ProjectId, mr.Iid).Detailed.ShouldBe("discussions_not_resolved");

        _gitLab.ResolveThread(ProjectId, mr.Iid, _gitLab.DiscussionsOn(ProjectId, mr.Iid).Single().Id);
        var approvalsLeft = _gitLab.GetMergeStatus(ProjectId, mr.Iid);
        approvalsLeft.Detailed.ShouldBe("not_approved");
        approvalsLeft.ApprovalsLeft.ShouldBe(2);

        (await _gitLab.ApproveAsync(ProjectId, mr.Iid)).ShouldBeTrue();
        _gitLab.GetMergeStatus(ProjectId, mr.Iid).ApprovalsLeft.ShouldBe(1);
        (await _gitLab.ApproveAsync(ProjectId, mr.Iid, new FakeUser(77, "reviewer", "Reviewer", "reviewer@example.com"))).ShouldBeTrue();
        _gitLab.GetMergeStatus(ProjectId, mr.Iid).Detailed.ShouldBe("mergeable");

        await _gitLab.CloseMergeRequestAsync(ProjectId, mr.Iid);
        (await GetAsync($"projects/{ProjectId}/merge_requests/{mr.Iid}"))["detailed_merge_status"]!.GetValue<string>().ShouldBe("not_open");
    }

    private Task<FakeMergeRequest> OpenAsync(string branch) =>
        _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec(branch, "Change " + branch)
        {
            Files = new Dictionary<string, string?> { [branch + ".txt"] = branch + "\n" },
        });

    private async Task<JsonObject> GetAsync(string path) => (await _http.GetFromJsonAsync<JsonObject>(path))!;

    private static string? Action(JsonNode hook) => hook["object_attributes"]?["action"]?.GetValue<string>();
}
