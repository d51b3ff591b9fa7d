using System.Text.RegularExpressions;
using Hangfire.States;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Playwright;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The operator dashboard (Hangfire's, with MergeTrain's pages) in a real browser: Debian's Chromium, driven by Playwright.</summary>
public class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Navigation = ["Trains", "Jobs", "Retries", "Recurring Jobs", "Servers", "Webhooks", "Audit log", "Charts", "Flaky jobs"];

    [Test]
    public async Task An_admin_logs_in_watches_the_train_pauses_and_resumes_it_removes_a_car_reads_the_charts_and_requeues_a_failed_job()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        var ((a, _), (b, pipelineB), (c, pipelineC)) = await world.HeldTrainOfThreeAsync();
        var d = await world.OpenMergeRequestAsync("d", "D: a change with a longer title than fits on the car", new Dictionary<string, string?> { ["d.txt"] = "d\n" });
        (await world.AddThroughApiAsync(d.Iid)).EnsureSuccessStatusCode();
        var pipelineD = await world.WaitForPipelineAsync(d.Iid);
        var failedJob = await FailedJob.CreateAsync(world.Server);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await PageAsync(browser, world);
        var blocked = BlockedByContentSecurityPolicy(page);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();

        // Viewing needs a token: the dashboard sends the browser to the login form, and back.
        await LogInAsync(page, TrainWorld.AdminToken);
        (await page.Locator(".navbar-nav > li > a").AllInnerTextsAsync()).Select(text => Regex.Replace(text, @"(\s+[0-9]+)+$", "").Trim())
            .ShouldBe([.. Navigation, "ops (admin)"], "MergeTrain's pages sit in Hangfire's navigation");
        await page.Locator(".navbar-nav > li > a", new() { HasTextString = "Trains" }).ClickAsync();
        await page.WaitForURLAsync("**/hangfire/trains");

        // The train: the target branch in front, the four cars in the order they merge, each with its pipeline.
        var train = page.Locator("section.mt-train");
        await Assertions.Expect(train.Locator(".mt-train-title")).ToContainTextAsync("acme/widgets → main");
        await Assertions.Expect(train.Locator(".mt-track > .mt-car")).ToHaveCountAsync(4);
        (await train.Locator(".mt-track > .mt-car").EvaluateAllAsync<string[]>("cars => cars.map(car => car.getAttribute('aria-label'))"))
            .ShouldBe([$"car !{a.Iid}", $"car !{b.Iid}", $"car !{c.Iid}", $"car !{d.Iid}"]);
        (await train.Locator(".mt-track > .mt-car .mt-position").AllInnerTextsAsync()).ShouldBe(["1 of 4", "2 of 4", "3 of 4", "4 of 4"]);
        await Assertions.Expect(Car(page, b.Iid)).ToContainTextAsync($"pipeline #{pipelineB}");
        await Assertions.Expect(Car(page, b.Iid)).ToContainTextAsync("fresh");

        // B fails: the page follows by itself, without a reload; C and D are rebuilt without B.
        world.GitLab.Ci.Release(pipelineB, PipelineStatuses.Failed).ShouldBeTrue();
        await Assertions.Expect(Car(page, b.Iid)).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"tr[aria-label='finished !{b.Iid}']")).ToContainTextAsync("pipeline_failed");
        var rebuiltC = await world.WaitForNewPipelineAsync(c.Iid, pipelineC);
        var rebuiltD = await world.WaitForNewPipelineAsync(d.Iid, pipelineD);
        await Assertions.Expect(Car(page, c.Iid)).ToContainTextAsync($"pipeline #{rebuiltC}");
        await Assertions.Expect(Car(page, d.Iid)).ToContainTextAsync($"pipeline #{rebuiltD}");
        await ScreenshotAsync(page, "trains.png");

        // Pause, then resume.
        await page.Locator("button:text-is('Pause')").ClickAsync();
        await Assertions.Expect(train.Locator(".mt-paused-label")).ToBeVisibleAsync();
        (await TrainIsPausedAsync(world)).ShouldBeTrue();
        await page.Locator("button:text-is('Resume')").ClickAsync();
        await Assertions.Expect(page.Locator("section.mt-train .mt-paused-label")).ToHaveCountAsync(0);
        (await TrainIsPausedAsync(world)).ShouldBeFalse();

        // Remove D (after the confirmation).
        await Car(page, d.Iid).Locator("button:text-is('Remove')").ClickAsync();
        await Assertions.Expect(Car(page, d.Iid)).ToHaveCountAsync(0);
        (await world.WaitForCarAsync(d.Iid, "dropped")).GetProperty("status").GetString().ShouldBe("dropped");

        // A and C pass and merge: the charts have merges, and the pipelines B's failure threw away.
        world.GitLab.Ci.HoldPipelines = false;
        world.GitLab.Ci.ReleaseAll();
        await world.WaitForCarAsync(a.Iid, "merged");
        await world.WaitForCarAsync(c.Iid, "merged");
        await page.Locator(".navbar-nav > li > a", new() { HasTextString = "Charts" }).ClickAsync();
        await page.Locator(".mt-filter a", new() { HasTextString = "Last hour" }).ClickAsync();
        await page.WaitForURLAsync("**/hangfire/charts?range=hour");
        var charts = page.Locator("figure.mt-chart");
        await Assertions.Expect(charts).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".mt-chart-summary")).ToContainTextAsync("Last hour: 2 merged");
        (await charts.Nth(0).Locator("rect.mt-bar-merges").CountAsync()).ShouldBeGreaterThan(0);
        (await charts.Nth(0).Locator(".mt-chart-value").AllTextContentsAsync()).Select(int.Parse).Sum().ShouldBe(2, "two merges, labelled on their bars");
        (await charts.Nth(1).Locator("rect.mt-bar-time").CountAsync()).ShouldBeGreaterThan(0);
        (await charts.Nth(2).Locator("rect.mt-bar-spent").CountAsync()).ShouldBeGreaterThan(0);
        (await charts.Nth(2).Locator("rect.mt-bar-wasted title").CountAsync()).ShouldBeGreaterThan(0, "the pipelines of C and D rebuilt after B failed were wasted");
        await Assertions.Expect(charts.Nth(0).Locator("svg")).ToContainTextAsync("merges");
        await ScreenshotAsync(page, "charts.png");

        // The failed job, requeued from Hangfire's Failed page, runs again and fails again.
        var failuresBefore = FailedJob.History(world.Server, failedJob).Count(state => state.StateName == FailedState.StateName);
        await page.GotoAsync("/hangfire/jobs/failed");
        await page.Locator($"input.js-jobs-list-checkbox[value='{failedJob}']").CheckAsync();
        await page.Locator("button.js-jobs-list-command", new() { HasTextString = "Requeue jobs" }).ClickAsync();
        await FailedJob.WaitForFailuresAsync(world.Server, failedJob, failuresBefore + 1);
        FailedJob.History(world.Server, failedJob).Select(state => state.StateName).ShouldContain(EnqueuedState.StateName);
        blocked.ShouldBeEmpty("the Content-Security-Policy blocks nothing the dashboard needs");
    }

    [Test]
    public async Task A_developer_sees_the_train_and_the_failed_job_but_no_action()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var mr = await world.OpenMergeRequestAsync("change", "A change", new Dictionary<string, string?> { ["one.txt"] = "1\n" });
        (await world.AddThroughApiAsync(mr.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(mr.Iid);
        var failedJob = await FailedJob.CreateAsync(world.Server);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await PageAsync(browser, world);
        var blocked = BlockedByContentSecurityPolicy(page);

        await LogInAsync(page, TrainWorld.DeveloperToken);
        await page.GotoAsync("/hangfire/trains");
        await Assertions.Expect(Car(page, mr.Iid)).ToContainTextAsync("pipeline #");
        await Assertions.Expect(page.Locator("[data-ajax]")).ToHaveCountAsync(0);
        await page.GotoAsync("/hangfire/jobs/failed");
        await Assertions.Expect(page.Locator("a", new() { HasTextString = $"#{failedJob}" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".js-jobs-list-command, .js-jobs-list-checkbox")).ToHaveCountAsync(0);
        await page.GotoAsync($"/hangfire/jobs/details/{failedJob}");
        await Assertions.Expect(page.Locator(".page-header")).ToContainTextAsync("Process webhooks of project");
        await Assertions.Expect(page.Locator("button", new() { HasTextString = "Requeue" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-ajax]")).ToHaveCountAsync(0);

        // Logging out (from the user's entry in the navigation) ends the session: the dashboard asks for a token again.
        await page.Locator(".navbar-nav > li > a", new() { HasTextString = "alice (viewer)" }).ClickAsync();
        await page.ClickAsync("button:text-is('Log out')");
        await page.WaitForURLAsync("**/login");
        await page.GotoAsync("/hangfire/trains");
        page.Url.ShouldEndWith("/login?returnUrl=%2Fhangfire%2Ftrains");
        (await world.QueryAsync<long>("SELECT count(*) FROM dashboard_sessions")).ShouldBe(0);
        blocked.ShouldBeEmpty("the Content-Security-Policy blocks nothing the dashboard needs");
    }

    // What the browser reports it refused because of the Content-Security-Policy, as it happens.
    private static List<string> BlockedByContentSecurityPolicy(IPage page)
    {
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (blocked)
                {
                    blocked.Add(message.Text);
                }
            }
        };
        return blocked;
    }

    private static ILocator Car(IPage page, long iid) => page.Locator($".mt-track > [aria-label='car !{iid}']");

    private static async Task LogInAsync(IPage page, string token)
    {
        await page.GotoAsync("/hangfire");
        page.Url.ShouldEndWith("/login?returnUrl=%2Fhangfire");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button:text-is('Log in')");
        await page.WaitForURLAsync("**/hangfire");
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    private static Task<IPage> PageAsync(IBrowser browser, TrainWorld world) =>
        browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = world.Server.Client.BaseAddress!.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    private static Task<bool> TrainIsPausedAsync(TrainWorld world) => world.QueryAsync<bool>("SELECT (state->>'Paused')::boolean FROM trains");
}
