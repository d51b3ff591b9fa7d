using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MergeTrain.Server.Tests.EndToEnd;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// One test for each kind of request the fuzz suite found answered 5xx (issue 11): now a 4xx
/// with a message saying what is wrong, and nothing stored. One server for the fixture: none of
/// these requests may change anything.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BadInputRegressionTests
{
    private TrainWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [TestCase("X-Gitlab-Event-UUID", 3000)]
    [TestCase("Idempotency-Key", 4000)]
    public async Task A_webhook_identifying_header_over_255_characters_is_refused_400_and_nothing_is_stored(string header, int length)
    {
        var value = string.Concat(Enumerable.Range(0, length).Select(i => (char)('!' + ((i * 7919) % 90))));
        var marker = header == "Idempotency-Key" ? value : Guid.NewGuid().ToString();
        using var response = header == "Idempotency-Key"
            ? await PostHookAsync(SampleBody("push_target.json"), "Push Hook", (header, value))
            : await PostHookAsync(SampleBody("push_target.json"), "Push Hook", (header, value), ("Idempotency-Key", marker));

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, $"the {header} header is longer than 255 characters");
        (await DeliveryRowsAsync(marker)).ShouldBe(0, "nothing of a refused delivery is stored");
    }

    [TestCase("\\u0000")]
    [TestCase("\\ud800")]
    public async Task A_webhook_with_a_nul_or_an_unpaired_surrogate_in_any_string_is_refused_400_and_nothing_is_stored(string escaped)
    {
        var body = SampleBody("push_target.json").Replace("\"widgets\"", $"\"wid{escaped}gets\"", StringComparison.Ordinal);
        var marker = Guid.NewGuid().ToString();
        using var response = await PostHookAsync(body, "Push Hook", ("Idempotency-Key", marker));

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, "holds a NUL character or an unpaired UTF-16 surrogate");
        (await DeliveryRowsAsync(marker)).ShouldBe(0, "nothing of a refused delivery is stored");
    }

    [Test]
    public async Task A_webhook_whose_label_is_a_number_is_refused_400_naming_the_field()
    {
        var payload = JsonNode.Parse(SampleBody("merge_request_label_added.json"))!;
        payload["labels"]!.AsArray().Insert(0, 5);
        var body = payload.ToJsonString();
        var marker = Guid.NewGuid().ToString();
        using var response = await PostHookAsync(body, "Merge Request Hook", ("Idempotency-Key", marker));

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, "labels[0] should be an object but is number");
        (await DeliveryRowsAsync(marker)).ShouldBe(0, "nothing of a refused delivery is stored");
    }

    [TestCase("application/json", "{\"sha\":\"abc", "the body is not valid JSON")]
    [TestCase("application/json", "{\"sha\":\"\\ud800\"}", "not valid Unicode")]
    [TestCase("multipart/form-data", "--b\r\nContent-Disposition: form-data; name=\"sha\"\r\n\r\nabc\r\n--b--\r\n", "Missing content-type boundary")]
    [TestCase("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"sha\"\r\n\r\nab", "the form cannot be read")]
    public async Task An_add_to_train_body_that_cannot_be_read_is_refused_400_before_anything_happens(string contentType, string body, string expected)
    {
        var trains = await TrainsAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await _world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/1", content);

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, expected);
        (await TrainsAsync()).ShouldBe(trains);
    }

    [Test]
    public async Task An_add_to_train_body_of_invalid_utf8_is_refused_400()
    {
        using var content = new ByteArrayContent([.. "{\"sha\":\""u8, 0xFF, 0xC3, 0x28, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/1", content);

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, "not valid Unicode");
    }

    [Test]
    public async Task An_add_to_train_form_of_thousands_of_fields_is_refused_400_saying_the_limit()
    {
        using var content = new StringContent(string.Join("&", Enumerable.Range(0, 2000).Select(i => $"f{i}=x")), Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await _world.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/1", content);

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, "Form value count limit 1024 exceeded");
    }

    [Test]
    public async Task The_last_page_a_client_can_ask_for_is_an_empty_page_not_an_overflow()
    {
        using var response = await _world.Api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains?page=2147483647&per_page=100");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength().ShouldBe(0);
        response.Headers.GetValues("X-Page").Single().ShouldBe("2147483647");
    }

    [TestCase("GET", "merge_trains/%2500")]
    [TestCase("POST", "merge_trains/%2500/pause")]
    [TestCase("POST", "merge_trains/main%2500/resume")]
    [TestCase("GET", "merge_trains/a%20b")]
    public async Task A_target_branch_that_decodes_to_a_name_git_refuses_is_refused_400(string method, string path)
    {
        var trains = await TrainsAsync();
        using var admin = _world.ClientWith(TrainWorld.AdminToken);
        using var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v4/projects/{TrainWorld.ProjectId}/{path}"));

        await ShouldBeRefusedAsync(response, HttpStatusCode.BadRequest, "target_branch is not a branch name");
        (await TrainsAsync()).ShouldBe(trains);
    }

    [TestCase("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc")]
    [TestCase("multipart/form-data", "token=x")]
    public async Task A_login_form_that_cannot_be_read_is_refused_400(string contentType, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await _world.Server.Client.PostAsync("/login", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("antiforgery");
    }

    [TestCase("/hangfire/jobs/details/abc")]
    [TestCase("/hangfire/jobs/details/99999999999999999999")]
    [TestCase("/hangfire/cars/42/99999999999999999999")]
    [TestCase("/hangfire/cars/99999999999999999999/1")]
    public async Task A_dashboard_id_that_is_not_a_number_it_can_hold_names_nothing_404(string path)
    {
        using var admin = _world.ClientWith(TrainWorld.AdminToken);
        using var response = await admin.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_hook_adding_an_mr_whose_head_commit_is_not_in_the_repository_fails_as_a_delivery_and_blocks_no_train()
    {
        // GitLab's sample names MR !7 and a head commit this project never had.
        var uuid = Guid.NewGuid().ToString();
        using (var response = await PostHookAsync(SampleBody("merge_request_label_added.json"), "Merge Request Hook", ("X-Gitlab-Event-UUID", uuid)))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await _world.WaitUntilQuietAsync();
        (await _world.QueryAsync<string>("SELECT detail FROM webhook_deliveries WHERE event_uuid = @uuid", ("uuid", uuid)))
            .ShouldStartWith("failed: MR !7's head commit 'b71e04c9a5d23f8e6c10a9b7d4e2f3c58a6d1e09' is not in the repository");
        (await _world.CarAsync(7)).ShouldBeNull();

        var mr = await _world.OpenMergeRequestAsync("after-bad-hook", "After a bad hook", new Dictionary<string, string?> { ["after.txt"] = "after\n" });
        await _world.GitLab.AddLabelAsync(TrainWorld.ProjectId, mr.Iid, "merge-train");
        await _world.WaitForCarAsync(mr.Iid, "merged");
    }

    private static string SampleBody(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "webhooks", name));

    private async Task<HttpResponseMessage> PostHookAsync(string body, string eventName, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Gitlab-Event", eventName);
        request.Headers.Add("X-Gitlab-Token", TrainWorld.WebhookSecret);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _world.Server.Client.SendAsync(request);
    }

    private Task<long> TrainsAsync() => _world.QueryAsync<long>("SELECT count(*) FROM trains");

    // Rows of the one request marked by its Idempotency-Key (bodiless "rejected" records aside): the
    // fixture's server also receives the fake GitLab's own hooks, which may still arrive from an
    // earlier test, so counting every row would race them.
    private Task<long> DeliveryRowsAsync(string idempotencyKey) => _world.QueryAsync<long>(
        "SELECT count(*) FROM webhook_deliveries WHERE outcome <> 'rejected' AND idempotency_key = @key", ("key", idempotencyKey));

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        JsonDocument.Parse(body).RootElement.GetProperty("message").GetString().ShouldNotBeNull().ShouldContain(expected);
    }
}
