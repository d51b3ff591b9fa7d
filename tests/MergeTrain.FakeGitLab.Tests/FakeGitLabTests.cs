using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.FakeGitLab.Tests;

public sealed class FakeGitLabTests
{
    private const long ProjectId = 42;
    private const string ProjectPath = "acme/widgets";
    private const string Secret = "hook-secret";

    private FakeGitLab _gitLab = null!;
    private HookReceiver _receiver = null!;
    private HttpClient _http = null!;
    private string _workDirectory = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _gitLab = await FakeGitLab.StartAsync(new FakeGitLabOptions { PipelineDuration = TimeSpan.FromMilliseconds(50) });
        _receiver = await HookReceiver.StartAsync();
        _gitLab.AddWebhook(_receiver.Url, Secret);
        await _gitLab.AddProjectAsync(ProjectId, ProjectPath, new Dictionary<string, string> { ["README.md"] = "hello\n" });
        _http = new HttpClient { BaseAddress = new Uri(_gitLab.ApiUrl + "/") };
        _http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", _gitLab.Token);
        _workDirectory = Directory.CreateTempSubdirectory("fake-gitlab-tests-").FullName;
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _gitLab.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_workDirectory, recursive: true);
    }

    [Test]
    public async Task Api_answers_401_without_a_valid_token_and_accepts_private_token_or_bearer()
    {
        using var anonymous = new HttpClient();
        var url = $"{_gitLab.ApiUrl}/projects/{ProjectId}";

        using var missing = await anonymous.GetAsync(new Uri(url));
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await missing.Content.ReadAsStringAsync()).ShouldBe("""{"message":"401 Unauthorized"}""");

        using var wrongRequest = new HttpRequestMessage(HttpMethod.Get, url);
        wrongRequest.Headers.Add("PRIVATE-TOKEN", "nope");
        using var wrong = await anonymous.SendAsync(wrongRequest);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var bearerRequest = new HttpRequestMessage(HttpMethod.Get, url);
        bearerRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _gitLab.Token);
        using var bearer = await anonymous.SendAsync(bearerRequest);
        bearer.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var privateToken = await _http.GetAsync(new Uri($"projects/{ProjectId}", UriKind.Relative));
        privateToken.StatusCode.ShouldBe(HttpStatusCode.OK);

        _gitLab.Requests.Count(r => r.StatusCode == 401).ShouldBe(2);
    }

    [Test]
    public async Task Merge_request_is_served_with_gitlab_fields_by_numeric_id_and_encoded_path()
    {
        var created = await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/one", "Add one")
        {
            Files = new Dictionary<string, string?> { ["one.txt"] = "one\n" },
            Description = "Adds one.",
        });

        var byId = await GetJsonAsync($"projects/{ProjectId}/merge_requests/{created.Iid}");
        var byPath = await GetJsonAsync($"projects/{Uri.EscapeDataString(ProjectPath)}/merge_requests/{created.Iid}");

        byPath.ToJsonString().ShouldBe(byId.ToJsonString());
        byId["id"]!.GetValue<long>().ShouldBe(created.Id);
        byId["iid"]!.GetValue<long>().ShouldBe(1);
        byId["project_id"]!.GetValue<long>().ShouldBe(ProjectId);
        byId["title"]!.GetValue<string>().ShouldBe("Add one");
        byId["description"]!.GetValue<string>().ShouldBe("Adds one.");
        byId["state"]!.GetValue<string>().ShouldBe("opened");
        byId["draft"]!.GetValue<bool>().ShouldBeFalse();
        byId["work_in_progress"]!.GetValue<bool>().ShouldBeFalse();
        byId["source_branch"]!.GetValue<string>().ShouldBe("feature/one");
        byId["target_branch"]!.GetValue<string>().ShouldBe("main");
        byId["sha"]!.GetValue<string>().ShouldBe(await _gitLab.GetBranchHeadAsync(ProjectId, "feature/one"));
        byId["web_url"]!.GetValue<string>().ShouldBe($"{_gitLab.BaseUrl}{ProjectPath}/-/merge_requests/1");
        byId["author"]!["username"]!.GetValue<string>().ShouldBe(_gitLab.Developer.Username);
        byId["merge_commit_sha"].ShouldBeNull();
        byId["labels"]!.AsArray().Count.ShouldBe(0);
        byId["created_at"]!.GetValue<string>().ShouldEndWith("Z");

        using var missing = await _http.GetAsync(new Uri($"projects/{ProjectId}/merge_requests/99", UriKind.Relative));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).ShouldBe("""{"message":"404 Not found"}""");
    }

    [Test]
    public async Task Opening_a_merge_request_writes_its_head_ref_and_sends_an_open_hook()
    {
        var created = await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/two", "Two")
        {
            Files = new Dictionary<string, string?> { ["two.txt"] = "two\n" },
            Labels = ["backend"],
        });

        var head = await GitProcess.CheckedAsync(_workDirectory, "--git-dir=" + _gitLab.GetProject(ProjectId).RepositoryUrl, "rev-parse", "refs/merge-requests/1/head");
        head.ShouldBe(created.Sha);
        var hook = _receiver.Events("Merge Request Hook").ShouldHaveSingleItem().Json;
        hook["object_kind"]!.GetValue<string>().ShouldBe("merge_request");
        hook["object_attributes"]!["action"]!.GetValue<string>().ShouldBe("open");
        hook["object_attributes"]!["iid"]!.GetValue<long>().ShouldBe(1);
        hook["object_attributes"]!["last_commit"]!["id"]!.GetValue<string>().ShouldBe(created.Sha);
        hook["labels"]![0]!["title"]!.GetValue<string>().ShouldBe("backend");
        hook["project"]!["path_with_namespace"]!.GetValue<string>().ShouldBe(ProjectPath);
    }

    [Test]
    public async Task Pipeline_created_on_a_branch_runs_and_sends_pipeline_hooks_with_gitlab_headers()
    {
        var head = await _gitLab.PushToBranchAsync(ProjectId, "merge-train/main/1", new Dictionary<string, string?> { ["a.txt"] = "a\n" }, "car");

        using var response = await _http.PostAsJsonAsync(new Uri($"projects/{ProjectId}/pipeline", UriKind.Relative), new
        {
            @ref = "merge-train/main/1",
            variables = new[] { new { key = "MERGE_TRAIN_IID", value = "1", variable_type = "env_var" } },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var pipeline = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var id = pipeline["id"]!.GetValue<long>();
        pipeline["sha"]!.GetValue<string>().ShouldBe(head);
        pipeline["ref"]!.GetValue<string>().ShouldBe("merge-train/main/1");
        pipeline["status"]!.GetValue<string>().ShouldBe("created");
        pipeline["source"]!.GetValue<string>().ShouldBe("api");
        pipeline["project_id"]!.GetValue<long>().ShouldBe(ProjectId);
        pipeline["web_url"]!.GetValue<string>().ShouldBe($"{_gitLab.BaseUrl}{ProjectPath}/-/pipelines/{id}");

        var hooks = await WaitForHooksAsync("Pipeline Hook", 2);
        hooks.Select(h => h.Json["object_attributes"]!["status"]!.GetValue<string>()).ShouldBe(["running", "success"]);
        var final = hooks[1];
        final.Headers["X-Gitlab-Token"].ShouldBe(Secret);
        final.Headers["User-Agent"].ShouldStartWith("GitLab/");
        final.Headers["Content-Type"].ShouldStartWith("application/json");
        Guid.TryParse(final.Headers["X-Gitlab-Event-UUID"], out _).ShouldBeTrue();
        Guid.TryParse(final.Headers["X-Gitlab-Webhook-UUID"], out _).ShouldBeTrue();
        Guid.TryParse(final.Headers["Idempotency-Key"], out _).ShouldBeTrue();
        final.Headers["X-Gitlab-Event-UUID"].ShouldNotBe(hooks[0].Headers["X-Gitlab-Event-UUID"]);
        final.Headers["Idempotency-Key"].ShouldNotBe(hooks[0].Headers["Idempotency-Key"]);
        var attributes = final.Json["object_attributes"]!;
        attributes["id"]!.GetValue<long>().ShouldBe(id);
        attributes["ref"]!.GetValue<string>().ShouldBe("merge-train/main/1");
        attributes["sha"]!.GetValue<string>().ShouldBe(head);
        attributes["finished_at"]!.GetValue<string>().ShouldEndWith(" UTC");
        attributes["variables"]![0]!["key"]!.GetValue<string>().ShouldBe("MERGE_TRAIN_IID");
        final.Json["merge_request"].ShouldBeNull();

        var fetched = await GetJsonAsync($"projects/{ProjectId}/pipelines/{id}");
        fetched["status"]!.GetValue<string>().ShouldBe("success");
        _gitLab.Deliveries.Where(d => d.EventName == "Pipeline Hook").ShouldAllBe(d => d.StatusCode == 202);
    }

    [Test]
    public async Task Pipeline_on_a_missing_branch_is_refused_like_gitlab_does()
    {
        using var response = await _http.PostAsJsonAsync(new Uri($"projects/{ProjectId}/pipeline", UriKind.Relative), new { @ref = "nope" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"message":{"base":["Reference not found"]}}""");

        using var missingRef = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipeline", UriKind.Relative), null);
        missingRef.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missingRef.Content.ReadAsStringAsync()).ShouldBe("""{"error":"ref is missing"}""");
        _gitLab.Pipelines.ShouldBeEmpty();
    }

    [Test]
    public async Task Lint_rule_fails_a_pipeline_on_a_violating_commit_and_passes_a_clean_one()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "main", new Dictionary<string, string?> { ["lint.rules"] = "# forbidden\nTODO\n" }, "Add lint rule");
        await _gitLab.PushToBranchAsync(ProjectId, "bad", new Dictionary<string, string?> { ["src/app.txt"] = "fix this TODO later\n" }, "bad");
        await _gitLab.PushToBranchAsync(ProjectId, "good", new Dictionary<string, string?> { ["src/app.txt"] = "all done\n" }, "good");

        var bad = await CreatePipelineAsync("bad");
        var good = await CreatePipelineAsync("good");

        var badDone = await WaitForFinishedAsync(bad);
        var goodDone = await WaitForFinishedAsync(good);
        badDone.Status.ShouldBe("failed");
        badDone.Log.ShouldContain("src/app.txt contains forbidden word 'TODO'");
        goodDone.Status.ShouldBe("success");
    }

    [Test]
    public async Task Merge_request_is_marked_merged_when_its_head_is_pushed_to_main_with_git_push()
    {
        var mergeRequest = await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/x", "X")
        {
            Files = new Dictionary<string, string?> { ["x.txt"] = "x\n" },
        });
        var repository = _gitLab.GetProject(ProjectId).RepositoryUrl;
        await GitProcess.CheckedAsync(_workDirectory, "clone", "--quiet", repository, "clone");
        var clone = Path.Combine(_workDirectory, "clone");
        await GitProcess.CheckedAsync(clone, "fetch", "--quiet", "origin", "refs/merge-requests/1/head");

        await GitProcess.CheckedAsync(clone, "push", "--quiet", "origin", "FETCH_HEAD:refs/heads/main");

        var merged = await FakeGitLab.WaitUntilAsync(
            () => _gitLab.GetMergeRequest(ProjectId, 1) is { State: "merged" } m ? m : null, because: "the MR to be marked merged");
        merged.MergeCommitSha.ShouldBe(mergeRequest.Sha);
        var mergeHook = (await WaitForHooksAsync("Merge Request Hook", 2))[1].Json;
        mergeHook["object_attributes"]!["action"]!.GetValue<string>().ShouldBe("merge");
        mergeHook["object_attributes"]!["state"]!.GetValue<string>().ShouldBe("merged");
        var push = _receiver.Events("Push Hook").Select(h => h.Json).Single(j => j["ref"]!.GetValue<string>() == "refs/heads/main");
        push["after"]!.GetValue<string>().ShouldBe(mergeRequest.Sha);
        push["checkout_sha"]!.GetValue<string>().ShouldBe(mergeRequest.Sha);
        push["project_id"]!.GetValue<long>().ShouldBe(ProjectId);
        push["total_commits_count"]!.GetValue<int>().ShouldBe(1);
        push["commits"]![0]!["added"]![0]!.GetValue<string>().ShouldBe("x.txt");
        var api = await GetJsonAsync($"projects/{ProjectId}/merge_requests/1");
        api["state"]!.GetValue<string>().ShouldBe("merged");
    }

    [Test]
    public async Task Repository_refuses_pushes_to_merge_request_refs_and_force_pushes_to_main()
    {
        var repository = _gitLab.GetProject(ProjectId).RepositoryUrl;
        await GitProcess.CheckedAsync(_workDirectory, "clone", "--quiet", repository, "clone");
        var clone = Path.Combine(_workDirectory, "clone");
        await GitProcess.CheckedAsync(clone, "commit", "--quiet", "--allow-empty", "-m", "rewrite");
        await GitProcess.CheckedAsync(clone, "commit", "--quiet", "--amend", "--allow-empty", "-m", "rewritten");
        await GitProcess.CheckedAsync(clone, "reset", "--quiet", "--hard", "HEAD~1");
        await GitProcess.CheckedAsync(clone, "commit", "--quiet", "--amend", "--allow-empty", "-m", "new root");

        var mergeRef = await GitProcess.RunAsync(clone, "push", "origin", "HEAD:refs/merge-requests/1/merge");
        var force = await GitProcess.RunAsync(clone, "push", "--force", "origin", "HEAD:refs/heads/main");
        var branch = await GitProcess.RunAsync(clone, "push", "--force", "origin", "HEAD:refs/heads/merge-train/main/1");

        mergeRef.ExitCode.ShouldNotBe(0);
        mergeRef.Error.ShouldContain("not allowed to push to merge request refs");
        force.ExitCode.ShouldNotBe(0);
        force.Error.ShouldContain("not allowed to force push");
        branch.ExitCode.ShouldBe(0);
    }

    [Test]
    public async Task Redelivery_is_byte_identical_with_the_same_uuid_and_idempotency_key()
    {
        await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/r", "R") { Files = new Dictionary<string, string?> { ["r"] = "r" } });
        var original = _gitLab.Deliveries.Single(d => d.EventName == "Merge Request Hook");

        var again = await _gitLab.RedeliverAsync(original);

        again.IsRedelivery.ShouldBeTrue();
        again.StatusCode.ShouldBe(202);
        var received = _receiver.Events("Merge Request Hook");
        received.Count.ShouldBe(2);
        received[1].Body.ShouldBe(received[0].Body);
        foreach (var header in new[] { "X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID", "Idempotency-Key", "X-Gitlab-Token", "X-Gitlab-Event" })
        {
            received[1].Headers[header].ShouldBe(received[0].Headers[header]);
        }
    }

    [Test]
    public async Task User_actions_send_merge_request_hooks_with_labels_draft_and_oldrev_changes()
    {
        var created = await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/u", "U") { Files = new Dictionary<string, string?> { ["u"] = "1" } });

        await _gitLab.AddLabelAsync(ProjectId, 1, "merge-train");
        await _gitLab.RemoveLabelAsync(ProjectId, 1, "merge-train");
        await _gitLab.SetDraftAsync(ProjectId, 1, draft: true);
        var updated = await _gitLab.PushToMergeRequestAsync(ProjectId, 1, new Dictionary<string, string?> { ["u"] = "2" });
        await _gitLab.CloseMergeRequestAsync(ProjectId, 1);

        var hooks = _receiver.Events("Merge Request Hook").Select(h => h.Json).ToList();
        hooks.Select(h => h["object_attributes"]!["action"]!.GetValue<string>()).ShouldBe(["open", "update", "update", "update", "update", "close"]);
        hooks[1]["changes"]!["labels"]!["previous"]!.AsArray().Count.ShouldBe(0);
        hooks[1]["changes"]!["labels"]!["current"]![0]!["title"]!.GetValue<string>().ShouldBe("merge-train");
        hooks[2]["changes"]!["labels"]!["previous"]![0]!["title"]!.GetValue<string>().ShouldBe("merge-train");
        hooks[2]["changes"]!["labels"]!["current"]!.AsArray().Count.ShouldBe(0);
        hooks[3]["changes"]!["draft"]!["current"]!.GetValue<bool>().ShouldBeTrue();
        hooks[3]["object_attributes"]!["title"]!.GetValue<string>().ShouldBe("Draft: U");
        hooks[4]["object_attributes"]!["oldrev"]!.GetValue<string>().ShouldBe(created.Sha);
        hooks[4]["object_attributes"]!["last_commit"]!["id"]!.GetValue<string>().ShouldBe(updated.Sha);
        hooks[1]["object_attributes"]!.AsObject().ContainsKey("oldrev").ShouldBeFalse();
        hooks[5]["object_attributes"]!["state"]!.GetValue<string>().ShouldBe("closed");
        updated.Sha.ShouldNotBe(created.Sha);
        var head = await GitProcess.CheckedAsync(_workDirectory, "--git-dir=" + _gitLab.GetProject(ProjectId).RepositoryUrl, "rev-parse", "refs/merge-requests/1/head");
        head.ShouldBe(updated.Sha);
    }

    [Test]
    public async Task Comments_and_api_notes_are_recorded_and_sent_as_note_hooks()
    {
        await _gitLab.CreateMergeRequestAsync(ProjectId, new MergeRequestSpec("feature/n", "N") { Files = new Dictionary<string, string?> { ["n"] = "n" } });

        await _gitLab.CommentAsync(ProjectId, 1, "/merge-train");
        using var response = await _http.PostAsJsonAsync(new Uri($"projects/{ProjectId}/merge_requests/1/notes", UriKind.Relative), new { body = "started a merge train" });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var note = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        note["body"]!.GetValue<string>().ShouldBe("started a merge train");
        note["noteable_type"]!.GetValue<string>().ShouldBe("MergeRequest");
        note["noteable_iid"]!.GetValue<long>().ShouldBe(1);
        note["author"]!["username"]!.GetValue<string>().ShouldBe(_gitLab.ApiUser.Username);
        _gitLab.NotesOn(ProjectId, 1).Select(n => n.Body).ShouldBe(["/merge-train", "started a merge train"]);
        var hook = _receiver.Events("Note Hook")[0].Json;
        hook["object_attributes"]!["note"]!.GetValue<string>().ShouldBe("/merge-train");
        hook["object_attributes"]!["noteable_type"]!.GetValue<string>().ShouldBe("MergeRequest");
        hook["merge_request"]!["iid"]!.GetValue<long>().ShouldBe(1);
        hook["merge_request"]!["source_branch"]!.GetValue<string>().ShouldBe("feature/n");
        _gitLab.Requests.ShouldContain(r => r.Method == "POST" && r.Path == $"/api/v4/projects/{ProjectId}/merge_requests/1/notes"
            && r.Body.Contains("started a merge train", StringComparison.Ordinal) && r.StatusCode == 201);
    }

    [Test]
    public async Task Commit_statuses_are_recorded_and_answered_as_gitlab_does()
    {
        var sha = (await _gitLab.GetBranchHeadAsync(ProjectId, "main"))!;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["state"] = "failed",
            ["name"] = "merge-train",
            ["target_url"] = "http://train/1",
            ["description"] = "pipeline failed",
        });

        using var response = await _http.PostAsync(new Uri($"projects/{ProjectId}/statuses/{sha}", UriKind.Relative), form);
        using var invalid = await _http.PostAsJsonAsync(new Uri($"projects/{ProjectId}/statuses/{sha}", UriKind.Relative), new { state = "green" });

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        status["status"]!.GetValue<string>().ShouldBe("failed");
        status["name"]!.GetValue<string>().ShouldBe("merge-train");
        status["sha"]!.GetValue<string>().ShouldBe(sha);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var recorded = _gitLab.CommitStatuses.ShouldHaveSingleItem();
        recorded.State.ShouldBe("failed");
        recorded.TargetUrl.ShouldBe("http://train/1");
        recorded.Description.ShouldBe("pipeline failed");
    }

    [Test]
    public async Task Held_pipelines_wait_for_release_and_can_be_cancelled_or_forced()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "car", new Dictionary<string, string?> { ["c"] = "c" }, "car");
        _gitLab.Ci.HoldPipelines = true;
        var held = await CreatePipelineAsync("car");
        var cancelled = await CreatePipelineAsync("car");
        var forced = await CreatePipelineAsync("car");
        await FakeGitLab.WaitUntilAsync(() => _gitLab.Pipelines.All(p => p.Status == "running"), because: "pipelines to start");
        await Task.Delay(150);
        _gitLab.GetPipeline(held).Status.ShouldBe("running");

        using var cancel = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/{cancelled}/cancel", UriKind.Relative), null);
        _gitLab.Ci.Release(forced, "failed").ShouldBeTrue();
        _gitLab.Ci.ReleaseAll();

        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonNode.Parse(await cancel.Content.ReadAsStringAsync())!["status"]!.GetValue<string>().ShouldBe("canceled");
        (await WaitForFinishedAsync(held)).Status.ShouldBe("success");
        (await WaitForFinishedAsync(forced)).Status.ShouldBe("failed");
        _gitLab.GetPipeline(cancelled).Status.ShouldBe("canceled");
        await WaitForHooksAsync("Pipeline Hook", 6);
        _receiver.Events("Pipeline Hook").Select(h => h.Json["object_attributes"]!)
            .Where(a => a["id"]!.GetValue<long>() == cancelled)
            .Select(a => a["status"]!.GetValue<string>()).ShouldBe(["running", "canceled"]);
    }

    [Test]
    public async Task With_one_runner_later_pipelines_are_pending_and_listed_as_the_projects_pending_jobs_until_the_runner_is_free()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "car", new Dictionary<string, string?> { ["c"] = "c" }, "car");
        _gitLab.Ci.Runners = 1;
        _gitLab.Ci.HoldPipelines = true;
        var first = await CreatePipelineAsync("car");
        await FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(first).Status == "running", because: "the runner takes the first pipeline");
        var second = await CreatePipelineAsync("car");
        var third = await CreatePipelineAsync("car");
        await FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(second).Status == "pending" && _gitLab.GetPipeline(third).Status == "pending", because: "the others wait for it");

        using var pending = await _http.GetAsync(new Uri($"projects/{ProjectId}/jobs?scope[]=pending&per_page=100", UriKind.Relative));
        using var wrongScope = await _http.GetAsync(new Uri($"projects/{ProjectId}/jobs?scope[]=waiting", UriKind.Relative));

        pending.StatusCode.ShouldBe(HttpStatusCode.OK);
        var jobs = JsonNode.Parse(await pending.Content.ReadAsStringAsync())!.AsArray();
        jobs.Select(job => job!["pipeline"]!["id"]!.GetValue<long>()).Distinct().Order().ShouldBe([second, third]);
        jobs.ShouldAllBe(job => job!["status"]!.GetValue<string>() == "pending");
        jobs.Select(job => job!["id"]!.GetValue<long>()).ShouldBe(jobs.Select(job => job!["id"]!.GetValue<long>()).OrderDescending(), "newest first");
        wrongScope.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // A pending pipeline cancelled never runs, and the runner goes to the next one.
        using var cancel = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/{second}/cancel", UriKind.Relative), null);
        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
        _gitLab.Ci.Release(first).ShouldBeTrue();
        (await WaitForFinishedAsync(first)).Status.ShouldBe("success");
        await FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(third).Status == "running", because: "the freed runner takes the third pipeline");
        _gitLab.GetPipeline(second).ShouldSatisfyAllConditions(
            p => p.Status.ShouldBe("canceled"),
            p => p.Jobs.ShouldAllBe(job => job.StartedAt == null));
        _gitLab.Ci.Release(third).ShouldBeTrue();
        (await WaitForFinishedAsync(third)).Status.ShouldBe("success");

        using var none = await _http.GetAsync(new Uri($"projects/{ProjectId}/jobs?scope[]=pending", UriKind.Relative));
        JsonNode.Parse(await none.Content.ReadAsStringAsync())!.AsArray().ShouldBeEmpty();
        await FakeGitLab.WaitUntilAsync(
            () => _receiver.Events("Pipeline Hook").Select(h => h.Json["object_attributes"]!).Where(a => a["id"]!.GetValue<long>() == third).Select(a => a["status"]!.GetValue<string>()).ToList() is ["pending", "running", "success"],
            because: "the third pipeline's hooks say pending, running, success");
    }

    [Test]
    public async Task Forced_results_apply_to_a_ref_the_given_number_of_times()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "flaky", new Dictionary<string, string?> { ["f"] = "f" }, "flaky");
        _gitLab.Ci.ForceResult("flaky", "failed", times: 1);

        var first = await WaitForFinishedAsync(await CreatePipelineAsync("flaky"));
        var second = await WaitForFinishedAsync(await CreatePipelineAsync("flaky"));

        first.Status.ShouldBe("failed");
        second.Status.ShouldBe("success");
    }

    [Test]
    public async Task Retry_runs_only_the_failed_jobs_again_and_a_flaky_job_passes_the_second_time()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "car", new Dictionary<string, string?> { ["c"] = "c" }, "car");
        _gitLab.Ci.JobNames = ["lint", "unit-tests", "e2e"];
        _gitLab.Ci.FailJob("car", "unit-tests", times: 1);
        var pipeline = await CreatePipelineAsync("car");
        (await WaitForFinishedAsync(pipeline)).Status.ShouldBe("failed");

        var failed = (await GetJsonAsync($"projects/{ProjectId}/pipelines/{pipeline}/jobs?scope[]=failed&scope[]=canceled")).AsArray();
        using var retry = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/{pipeline}/retry", UriKind.Relative), null);

        failed.Select(job => job!["name"]!.GetValue<string>()).ShouldBe(["unit-tests"]);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        var answer = JsonNode.Parse(await retry.Content.ReadAsStringAsync())!;
        answer["id"]!.GetValue<long>().ShouldBe(pipeline);
        answer["status"]!.GetValue<string>().ShouldBe("pending");
        (await WaitForFinishedAsync(pipeline)).Status.ShouldBe("success");
        var latest = (await GetJsonAsync($"projects/{ProjectId}/pipelines/{pipeline}/jobs")).AsArray();
        latest.Select(job => (job!["name"]!.GetValue<string>(), job["status"]!.GetValue<string>())).Order()
            .ShouldBe([("e2e", "success"), ("lint", "success"), ("unit-tests", "success")]);
        var all = (await GetJsonAsync($"projects/{ProjectId}/pipelines/{pipeline}/jobs?include_retried=true")).AsArray();
        all.Count.ShouldBe(4);
        all.Count(job => job!["retried"]!.GetValue<bool>()).ShouldBe(1);
        _gitLab.GetPipeline(pipeline).Jobs.Count(job => job.Name == "e2e").ShouldBe(1);
    }

    [Test]
    public async Task A_job_failing_every_time_fails_its_retry_and_a_retry_with_nothing_failed_changes_nothing()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "car", new Dictionary<string, string?> { ["c"] = "c" }, "car");
        _gitLab.Ci.JobNames = ["lint", "unit-tests"];
        _gitLab.Ci.FailJob("car", "unit-tests");
        var pipeline = await CreatePipelineAsync("car");
        (await WaitForFinishedAsync(pipeline)).Status.ShouldBe("failed");

        using (var retry = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/{pipeline}/retry", UriKind.Relative), null))
        {
            retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(pipeline).Jobs.Count == 3 && _gitLab.GetPipeline(pipeline).IsFinished, because: "the retry to finish");
        _gitLab.GetPipeline(pipeline).Status.ShouldBe("failed");

        var passing = await CreatePipelineAsync("main");
        (await WaitForFinishedAsync(passing)).Status.ShouldBe("success");
        using var idle = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/{passing}/retry", UriKind.Relative), null);
        idle.StatusCode.ShouldBe(HttpStatusCode.Created);
        _gitLab.GetPipeline(passing).Status.ShouldBe("success");
        using var invalid = await _http.GetAsync(new Uri($"projects/{ProjectId}/pipelines/{pipeline}/jobs?scope[]=broken", UriKind.Relative));
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var missing = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipelines/999999/retry", UriKind.Relative), null);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Pipelines_are_listed_with_filters_and_gitlab_pagination_headers()
    {
        await _gitLab.PushToBranchAsync(ProjectId, "a", new Dictionary<string, string?> { ["a"] = "a" }, "a");
        for (var i = 0; i < 3; i++)
        {
            await CreatePipelineAsync("a");
        }

        await CreatePipelineAsync("main");

        using var response = await _http.GetAsync(new Uri($"projects/{ProjectId}/pipelines?ref=a&per_page=2&page=1", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        list.Count.ShouldBe(2);
        list.ShouldAllBe(p => p!["ref"]!.GetValue<string>() == "a");
        (list[0]!["id"]!.GetValue<long>() > list[1]!["id"]!.GetValue<long>()).ShouldBeTrue();
        response.Headers.GetValues("X-Total").Single().ShouldBe("3");
        response.Headers.GetValues("X-Total-Pages").Single().ShouldBe("2");
        response.Headers.GetValues("X-Page").Single().ShouldBe("1");
        response.Headers.GetValues("X-Per-Page").Single().ShouldBe("2");
        response.Headers.GetValues("X-Next-Page").Single().ShouldBe("2");
        response.Headers.GetValues("Link").Single().ShouldContain("rel=\"next\"");
    }

    [Test]
    public async Task A_push_to_a_branch_whose_workflow_rules_allow_it_runs_a_pipeline_where_a_named_job_can_fail()
    {
        _gitLab.Ci.JobNames = ["lint", "unit-tests"];
        _gitLab.Ci.PushPipelineBranches = new HashSet<string> { "main" };
        _gitLab.Ci.FailJob("main", "unit-tests", times: 1);

        var broken = await _gitLab.PushToBranchAsync(ProjectId, "main", new Dictionary<string, string?> { ["a.txt"] = "a\n" }, "first");
        await _gitLab.PushToBranchAsync(ProjectId, "topic", new Dictionary<string, string?> { ["t.txt"] = "t\n" }, "not a CI branch");
        var fixedHead = await _gitLab.PushToBranchAsync(ProjectId, "main", new Dictionary<string, string?> { ["b.txt"] = "b\n" }, "second");

        var pipelines = await FakeGitLab.WaitUntilAsync(
            () => _gitLab.Pipelines is { Count: 2 } all && all.All(p => p.IsFinished) ? all.OrderBy(p => p.Id).ToList() : null, because: "both push pipelines to finish");
        pipelines.Select(p => (p.Ref, p.Sha, p.Source, p.User.Username, p.Status))
            .ShouldBe([("main", broken, "push", _gitLab.Developer.Username, "failed"), ("main", fixedHead, "push", _gitLab.Developer.Username, "success")]);
        pipelines[0].Jobs.Single(job => job.Status == "failed").Name.ShouldBe("unit-tests");
        var hook = (await WaitForHooksAsync("Pipeline Hook", 4)).Select(h => h.Json["object_attributes"]!)
            .First(a => a["id"]!.GetValue<long>() == pipelines[0].Id && a["status"]!.GetValue<string>() == "failed");
        hook["source"]!.GetValue<string>().ShouldBe("push");
        (await GetJsonAsync($"projects/{ProjectId}/pipelines/{pipelines[0].Id}"))["source"]!.GetValue<string>().ShouldBe("push");
    }

    [Test]
    public async Task Pipelines_of_one_commit_are_listed_by_sha_whatever_their_ref_newest_first_unless_asked_otherwise()
    {
        // A car branch whose commit is then fast-forwarded to main, as a merge train does.
        _gitLab.Ci.PushPipelineBranches = new HashSet<string> { "main" };
        var car = await _gitLab.PushToBranchAsync(ProjectId, "merge-train/main/1", new Dictionary<string, string?> { ["c.txt"] = "c\n" }, "car");
        var carPipeline = await CreatePipelineAsync("merge-train/main/1");
        await _gitLab.PushToBranchAsync(ProjectId, "other", new Dictionary<string, string?> { ["o.txt"] = "o\n" }, "other");
        await CreatePipelineAsync("other");
        var repository = _gitLab.GetProject(ProjectId).RepositoryUrl;
        await GitProcess.CheckedAsync(_workDirectory, "clone", "--quiet", repository, "clone");
        var clone = Path.Combine(_workDirectory, "clone");
        await GitProcess.CheckedAsync(clone, "push", "--quiet", "origin", "origin/merge-train/main/1:refs/heads/main");
        var mainPipeline = await FakeGitLab.WaitUntilAsync(() => _gitLab.Pipelines.SingleOrDefault(p => p.Ref == "main"), because: "the push pipeline on main");

        var newestFirst = (await GetJsonAsync($"projects/{ProjectId}/pipelines?sha={car}")).AsArray();
        var oldestFirst = (await GetJsonAsync($"projects/{ProjectId}/pipelines?sha={car}&order_by=id&sort=asc")).AsArray();

        mainPipeline.Sha.ShouldBe(car);
        newestFirst.Select(p => (p!["id"]!.GetValue<long>(), p["ref"]!.GetValue<string>(), p["sha"]!.GetValue<string>()))
            .ShouldBe([(mainPipeline.Id, "main", car), (carPipeline, "merge-train/main/1", car)]);
        oldestFirst.Select(p => p!["id"]!.GetValue<long>()).ShouldBe([carPipeline, mainPipeline.Id]);
        foreach (var (query, parameter) in new[] { ("order_by=created", "order_by"), ("sort=sideways", "sort") })
        {
            using var refused = await _http.GetAsync(new Uri($"projects/{ProjectId}/pipelines?sha={car}&{query}", UriKind.Relative));
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync()).ShouldBe($$"""{"error":"{{parameter}} does not have a valid value"}""");
        }
    }

    [Test]
    public async Task Switched_off_webhooks_send_nothing_while_the_api_still_reports_status()
    {
        _gitLab.WebhooksEnabled = false;
        await _gitLab.PushToBranchAsync(ProjectId, "quiet", new Dictionary<string, string?> { ["q"] = "q" }, "quiet");

        var id = await CreatePipelineAsync("quiet");

        (await WaitForFinishedAsync(id)).Status.ShouldBe("success");
        _receiver.Received.ShouldBeEmpty();
        _gitLab.Deliveries.ShouldBeEmpty();
    }

    private async Task<JsonNode> GetJsonAsync(string relative)
    {
        using var response = await _http.GetAsync(new Uri(relative, UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<long> CreatePipelineAsync(string reference)
    {
        using var content = new StringContent($$"""{"ref":"{{reference}}"}""", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri($"projects/{ProjectId}/pipeline", UriKind.Relative), content);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);

        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
    }

    private Task<FakePipeline> WaitForFinishedAsync(long pipelineId) =>
        FakeGitLab.WaitUntilAsync(() => _gitLab.GetPipeline(pipelineId) is { IsFinished: true } p ? p : null, because: $"pipeline {pipelineId}");

    private async Task<IReadOnlyList<ReceivedHook>> WaitForHooksAsync(string eventName, int count)
    {
        await FakeGitLab.WaitUntilAsync(() => _receiver.Events(eventName).Count >= count, because: $"{count} {eventName}s");

        return _receiver.Events(eventName);
    }
}
