using MergeTrain.Server.Tests.EndToEnd;
using Microsoft.Playwright;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The operator dashboard in a real browser (Debian's Chromium, driven by Playwright).</summary>
public class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Test]
    public async Task An_operator_logs_in_sees_the_train_pauses_and_resumes_it_removes_a_car()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["app.txt"] = "hello\n" });
        world.GitLab.Ci.HoldPipelines = true;
        var first = await world.OpenMergeRequestAsync("first", "First change", new Dictionary<string, string?> { ["one.txt"] = "1\n" });
        var second = await world.OpenMergeRequestAsync("second", "Second change", new Dictionary<string, string?> { ["two.txt"] = "2\n" });
        (await world.AddThroughApiAsync(first.Iid)).EnsureSuccessStatusCode();
        (await world.AddThroughApiAsync(second.Iid)).EnsureSuccessStatusCode();
        await world.WaitForPipelineAsync(second.Iid);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = world.Server.Client.BaseAddress!.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });

        // Viewing needs a token: the dashboard sends us to the login form.
        await page.GotoAsync("/dashboard");
        page.Url.ShouldEndWith("/dashboard/login");
        await page.FillAsync("input[name=token]", TrainWorld.AdminToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/dashboard");

        // The train with its two cars, each with its pipeline.
        var train = page.Locator("section.train");
        await Assertions.Expect(train).ToContainTextAsync("acme/widgets");
        await Assertions.Expect(page.Locator($"[aria-label='car !{first.Iid}']")).ToContainTextAsync("fresh");
        await Assertions.Expect(page.Locator($"[aria-label='car !{second.Iid}']")).ToContainTextAsync("pipeline #");
        var screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", "train-view.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "The train view");

        // Pause, then resume.
        await page.ClickAsync("button:text('Pause')");
        await Assertions.Expect(train).ToContainTextAsync("paused");
        (await TrainIsPausedAsync(world)).ShouldBeTrue();
        await page.ClickAsync("button:text('Resume')");
        await Assertions.Expect(page.Locator("section.train .paused")).ToHaveCountAsync(0);
        (await TrainIsPausedAsync(world)).ShouldBeFalse();

        // Remove the second car.
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator($"[aria-label='car !{second.Iid}'] button:text('Remove')").ClickAsync();
        await Assertions.Expect(page.Locator($".cars.active > [aria-label='car !{second.Iid}']")).ToHaveCountAsync(0);
        (await world.WaitForCarAsync(second.Iid, "dropped")).GetProperty("status").GetString().ShouldBe("dropped");

    }

    private static async Task<bool> TrainIsPausedAsync(TrainWorld world)
    {
        await using var connection = await OpenAsync(world);
        await using var command = new NpgsqlCommand("SELECT (state->>'Paused')::boolean FROM trains", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<NpgsqlConnection> OpenAsync(TrainWorld world)
    {
        var connection = new NpgsqlConnection(world.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
