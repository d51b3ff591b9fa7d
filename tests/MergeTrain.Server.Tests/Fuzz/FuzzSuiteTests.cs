using System.Diagnostics;
using System.Globalization;
using System.Net;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Issue 11's proof of "4xx, never 5xx, for bad input": generated webhook, API, health and
/// dashboard requests against the real server (Kestrel, PostgreSQL, Hangfire, the fake GitLab),
/// then the service checked ready and correct. <c>MERGETRAIN_FUZZ_REQUESTS</c> and
/// <c>MERGETRAIN_FUZZ_SEED</c> choose the count (default 10,000) and the seed (default 1); a
/// failing request is named by its seed and index, and <see cref="RequestFuzzer.Create"/> rebuilds it.
/// </summary>
public class FuzzSuiteTests
{
    private const int DefaultRequests = 10_000;

    [Test]
    public async Task Generated_hostile_requests_are_never_answered_5xx_and_leave_the_service_ready_and_correct()
    {
        var count = Setting("MERGETRAIN_FUZZ_REQUESTS", DefaultRequests);
        var seed = Setting("MERGETRAIN_FUZZ_SEED", 1);
        var serverErrors = new ServerErrorRecorder();
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["app.txt"] = "hello\n" }, 20, _ => [], services => services.AddSingleton<IStartupFilter>(serverErrors));
        var fuzzer = new RequestFuzzer(
            new WebhookRequests(TrainWorld.WebhookSecret),
            new ApiRequests(TrainWorld.ProjectId, TrainWorld.ProjectPath, TrainWorld.DeveloperToken, TrainWorld.AdminToken),
            new DashboardRequests(TrainWorld.ProjectId, TrainWorld.DeveloperToken, TrainWorld.AdminToken));

        serverErrors.Clear();
        var clock = Stopwatch.StartNew();
        using var client = new FuzzClient(world.Server.Client.BaseAddress!);
        var outcomes = (await client.SendAllAsync(fuzzer.Generate(seed, count), parallelism: 8))
            .Select(o => o.StatusCode is null ? o with { ServerStatus = serverErrors.StatusOf(o.Request.Index) } : o).ToList();
        clock.Stop();

        var byClass = outcomes.GroupBy(o => o.StatusCode is { } s ? $"{s / 100}xx" : "no answer").OrderBy(g => g.Key, StringComparer.Ordinal);
        await TestContext.Out.WriteLineAsync(
            $"Fuzz seed {seed}: {outcomes.Count} requests in {clock.Elapsed.TotalSeconds:F1} s; " + string.Join(", ", byClass.Select(g => $"{g.Key}: {g.Count()}"))
            + $" (of those the client could not read, {outcomes.Count(o => o.StatusCode is null && o.ServerStatus is < 500)} were answered 4xx by the service"
            + $" and {outcomes.Count(o => o.StatusCode is null && o.ServerStatus is null && o.Request.IsRefusedByKestrel)} refused by Kestrel)");
        var failures = outcomes.Where(o => o.IsServerFailure).ToList();
        foreach (var failure in failures.Take(200))
        {
            await TestContext.Out.WriteLineAsync($"FAILED {failure}");
        }

        // Inside the server first: it also sees the answers to requests whose connection broke.
        serverErrors.Errors.Count.ShouldBe(0, $"the server answered 5xx (seen inside it):\n{string.Join("\n", serverErrors.Errors.Take(8))}");
        failures.Count.ShouldBe(0,
            $"{failures.Count} of {outcomes.Count} requests got a 5xx or no answer; the first ones (rebuild with RequestFuzzer.Create(seed, index)):\n"
            + string.Join("\n", failures.Take(8)));
        outcomes.Count(o => o.StatusCode is >= 200 and < 300).ShouldBeGreaterThan(count / 20, "some requests must get through, or the fuzzer only tests the doors");
        outcomes.Count(o => o.StatusCode is >= 400 and < 500).ShouldBeGreaterThan(count / 5, "most requests are bad and must be refused");

        // Ready afterwards, with every accepted delivery processed or recorded as failed: nothing stuck.
        using (var ready = await world.Server.Client.GetAsync("/readyz"))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await world.WaitUntilQuietAsync(TimeSpan.FromSeconds(120));
        await AssertRefusedDeliveriesStoredNothingAsync(world, outcomes);
        await AssertStillMergesAsync(world);
    }

    /// <summary>A wrong secret leaves no row at all; any other refusal leaves nothing to process (at most a bodiless "rejected" record).</summary>
    private static async Task AssertRefusedDeliveriesStoredNothingAsync(TrainWorld world, IReadOnlyList<FuzzOutcome> outcomes)
    {
        var stored = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(world.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT event_uuid, outcome, body IS NOT NULL FROM webhook_deliveries WHERE event_uuid LIKE 'fuzz-%'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var uuid = reader.GetString(0);
                (stored.TryGetValue(uuid, out var rows) ? rows : stored[uuid] = []).Add(reader.GetString(1) + (reader.GetBoolean(2) ? " with body" : ""));
            }
        }

        var webhooks = outcomes.Where(o => o.Request.TrackedEventUuid is not null).ToList();
        var wrongSecret = webhooks.Where(o => o.Request.WrongSecret).ToList();
        wrongSecret.Count.ShouldBeGreaterThan(0);
        var leaks = wrongSecret.Where(o => stored.ContainsKey(o.Request.TrackedEventUuid!)).Select(o => $"{o} stored {string.Join(", ", stored[o.Request.TrackedEventUuid!])}").ToList();
        leaks.Count.ShouldBe(0, $"deliveries with a wrong secret left rows:\n{string.Join("\n", leaks.Take(5))}");

        var refused = webhooks.Where(o => o.StatusCode is >= 400 and < 500).ToList();
        var halfWritten = refused
            .Where(o => stored.TryGetValue(o.Request.TrackedEventUuid!, out var rows) && rows.Any(r => r != "rejected"))
            .Select(o => $"{o} stored {string.Join(", ", stored[o.Request.TrackedEventUuid!])}").ToList();
        halfWritten.Count.ShouldBe(0, $"refused deliveries left rows to process:\n{string.Join("\n", halfWritten.Take(5))}");
        webhooks.Count(o => o.StatusCode == 202).ShouldBeGreaterThan(0, "some mutated deliveries are still valid and must be accepted");
    }

    /// <summary>The service still does its job: a labelled MR (through GitLab's real webhook) and an MR added through the API both merge.</summary>
    private static async Task AssertStillMergesAsync(TrainWorld world)
    {
        var byHook = await world.OpenMergeRequestAsync("after-fuzz-hook", "After the fuzz, by label", new Dictionary<string, string?> { ["hook.txt"] = "hook\n" });
        await world.GitLab.AddLabelAsync(TrainWorld.ProjectId, byHook.Iid, "merge-train");
        world.GitLab.Deliveries.Last(d => d.EventName == "Merge Request Hook").StatusCode.ShouldBe(202);
        await world.WaitForCarAsync(byHook.Iid, "merged", TimeSpan.FromSeconds(60));

        var byApi = await world.OpenMergeRequestAsync("after-fuzz-api", "After the fuzz, by API", new Dictionary<string, string?> { ["api.txt"] = "api\n" });
        using (var added = await world.AddThroughApiAsync(byApi.Iid))
        {
            added.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await world.WaitForCarAsync(byApi.Iid, "merged", TimeSpan.FromSeconds(60));
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
