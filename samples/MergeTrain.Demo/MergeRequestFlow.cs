using MergeTrain.FakeGitLab;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Demo;

/// <summary>
/// A steady stream of merge requests after scenario B, so that the dashboard always has something
/// to show: one every 10-20 s (at pace 1), pipelines of 5-20 s, some good, some bad (they contain
/// the forbidden word; their authors fix them and add them again), some in pairs that edit the same
/// line (the second conflicts with the first), and some whose car pipeline fails once for no reason
/// (a flaky runner; their authors simply add them again). Each merge request's author is a task of
/// its own, so trains form, cars drop and merges land at the same time.
/// </summary>
public sealed class MergeRequestFlow(ShopGitLab shop, DemoOptions options, DemoRandom random, ILogger logger)
{
    private static readonly TimeSpan OutcomeTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan ServiceTimeout = TimeSpan.FromSeconds(60);
    private const int MaxAttempts = 4;

    private static readonly IReadOnlyList<string> Features =
    [
        "wish list", "gift cards", "order history", "dark mode", "product search", "delivery slots", "loyalty points",
        "recipe ideas", "store locator", "newsletter", "reviews", "bulk discounts", "pickup lockers", "invoices",
    ];

    private readonly List<Task> _authors = [];
    private int _next;

    /// <summary>Opens merge requests until cancelled, then waits for their authors to stop.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var durations = Task.Run(() => VaryPipelineDurationsAsync(cancellationToken), CancellationToken.None);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                OpenNext(cancellationToken);
                _authors.RemoveAll(author => author.IsCompleted);
                await Task.Delay(options.Scaled(random.Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20))), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The demo is stopping.
        }

        await Task.WhenAll([durations, .. _authors]);
    }

    private void OpenNext(CancellationToken cancellationToken)
    {
        var number = ++_next;
        var roll = random.Fraction();
        if (roll < 0.4)
        {
            Start(() => PlayAsync(number, Kind.Good, cancellationToken));
        }
        else if (roll < 0.55)
        {
            Start(() => PlayAsync(number, Kind.Bad, cancellationToken));
        }
        else if (roll < 0.7)
        {
            Start(() => PlayAsync(number, Kind.Flaky, cancellationToken));
        }
        else if (roll < 0.85)
        {
            // Two authors change the same price at the same time; whichever is behind on the train conflicts.
            var product = random.Pick(DemoProject.Products);
            Start(() => PlayAsync(number, Kind.Conflicting, cancellationToken, product));
            Start(() => PlayAsync(number, Kind.Conflicting, cancellationToken, product, second: true));
        }
        else
        {
            // A busy moment: three at once, one of them bad, so a longer train forms and is rebuilt around it.
            var first = number;
            var bad = ++_next;
            var last = ++_next;
            Start(() => PlayAsync(first, Kind.Good, cancellationToken));
            Start(() => PlayAsync(bad, Kind.Bad, cancellationToken));
            Start(() => PlayAsync(last, Kind.Good, cancellationToken));
        }
    }

    private void Start(Func<Task> author) => _authors.Add(Task.Run(author, CancellationToken.None));

    /// <summary>One author: opens the merge request, adds it to the train, and reacts to what happens.</summary>
    private async Task PlayAsync(int number, Kind kind, CancellationToken cancellationToken, string? product = null, bool second = false)
    {
        try
        {
            var mergeRequest = await OpenAsync(number, kind, product, second, cancellationToken);
            var iid = mergeRequest.Iid;
            await Task.Delay(options.Scaled(random.Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4))), cancellationToken);
            var byComment = random.Chance(0.3);
            var fixedIt = false;
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var notesBefore = shop.LastNoteId;
                if (byComment || attempt > 1)
                {
                    await shop.GitLab.CommentAsync(DemoProject.Id, iid, "/merge-train", cancellationToken);
                    logger.LogInformation("!{Iid}: the author commented /merge-train{Again}", iid, attempt > 1 ? " to add it again" : "");
                }
                else
                {
                    await shop.GitLab.AddLabelAsync(DemoProject.Id, iid, DemoProject.TrainLabel, cancellationToken);
                    logger.LogInformation("!{Iid}: the author added the {Label} label", iid, DemoProject.TrainLabel);
                }

                if (kind == Kind.Flaky && attempt == 1)
                {
                    await MakeFlakyAsync(iid, cancellationToken);
                }

                var dropNote = await OutcomeAsync(iid, notesBefore, cancellationToken);
                if (dropNote is null)
                {
                    return;
                }

                await Task.Delay(options.Scaled(random.Between(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8))), cancellationToken);
                if (dropNote.Contains("merge conflicts", StringComparison.Ordinal))
                {
                    await shop.GitLab.CloseMergeRequestAsync(DemoProject.Id, iid, cancellationToken);
                    logger.LogInformation("!{Iid}: its price change conflicts with one merged before it; the author closed it", iid);
                    return;
                }

                if (kind == Kind.Bad && !fixedIt)
                {
                    var pipelinesBefore = shop.LastPipelineId;
                    await shop.GitLab.PushToMergeRequestAsync(
                        DemoProject.Id, iid, new Dictionary<string, string?> { [FeatureFile(number)] = FeatureText(number, bad: false) },
                        $"Remove the {DemoProject.ForbiddenWord}", cancellationToken);
                    logger.LogInformation("!{Iid}: the author removed the {Word} and pushed", iid, DemoProject.ForbiddenWord);
                    await shop.WaitUntilPushSeenAsync(iid, pipelinesBefore, ServiceTimeout, cancellationToken);
                    fixedIt = true;
                }
            }

            logger.LogInformation("!{Iid}: the author gave up after {Attempts} attempts", iid, MaxAttempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The demo is stopping.
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // One author's trouble (a slow service, a closed MR) must not end the stream.
            logger.LogWarning("Merge request {Number} of the stream: the author stopped: {Reason}", number, error.Message);
        }
    }

    private async Task<FakeMergeRequest> OpenAsync(int number, Kind kind, string? product, bool second, CancellationToken cancellationToken)
    {
        var gitLab = shop.GitLab;
        if (kind == Kind.Conflicting)
        {
            var prices = await gitLab.ReadFileAsync(DemoProject.Id, DemoProject.TargetBranch, DemoProject.PricesFile, cancellationToken) ?? DemoProject.InitialPrices();
            var price = second ? 0.99m + number % 7 : 2.49m + number % 5;
            var conflicting = await gitLab.CreateMergeRequestAsync(DemoProject.Id, new MergeRequestSpec($"price-{product}-{number}{(second ? "b" : "a")}", $"Set the price of {product} to {price:0.00} EUR")
            {
                Files = new Dictionary<string, string?> { [DemoProject.PricesFile] = DemoProject.WithPrice(prices, product!, price) },
            }, cancellationToken);
            logger.LogInformation("!{Iid} \"{Title}\" opened: it edits the same line as another merge request", conflicting.Iid, conflicting.Title);
            return conflicting;
        }

        var feature = Features[number % Features.Count];
        var mergeRequest = await gitLab.CreateMergeRequestAsync(DemoProject.Id, new MergeRequestSpec($"feature-{number}", $"Add {feature} ({number})")
        {
            Files = new Dictionary<string, string?> { [FeatureFile(number)] = FeatureText(number, bad: kind == Kind.Bad) },
        }, cancellationToken);
        var what = kind switch
        {
            Kind.Bad => $"it contains a {DemoProject.ForbiddenWord}, so CI will reject it",
            Kind.Flaky => "a good change, but its car's pipeline will fail once on a flaky runner",
            _ => "a good change",
        };
        logger.LogInformation("!{Iid} \"{Title}\" opened: {What}", mergeRequest.Iid, mergeRequest.Title, what);
        return mergeRequest;
    }

    /// <summary>
    /// Fails the first pipeline of the merge request's car whatever its content. The simulator applies
    /// a forced result when a pipeline ends, cancelled ones included, so it is set on that pipeline's
    /// commit once it runs, not on the car branch ahead of time.
    /// </summary>
    private async Task MakeFlakyAsync(long iid, CancellationToken cancellationToken)
    {
        var pipeline = await ShopGitLab.WaitForAsync(() => shop.CarPipelines(iid) is [var first, ..] ? first : null, ServiceTimeout, $"the pipeline of !{iid}'s car", cancellationToken);
        shop.GitLab.Ci.ForceResult(pipeline.Sha, PipelineStatuses.Failed, times: 1);
    }

    /// <summary>Null once merged; the note when the car was dropped.</summary>
    private async Task<string?> OutcomeAsync(long iid, long notesBefore, CancellationToken cancellationToken)
    {
        var outcome = await ShopGitLab.WaitForAsync(
            () => shop.MergeRequest(iid).State == MergeRequestStates.Merged
                ? new Outcome(null)
                : shop.BotNotes(iid, notesBefore).FirstOrDefault(n => n.Body.Contains(ShopGitLab.DroppedNote, StringComparison.Ordinal)) is { } note
                    ? new Outcome(note.Body)
                    : null,
            OutcomeTimeout, $"!{iid} to be merged or dropped", cancellationToken);
        return outcome.DropNote;
    }

    /// <summary>Re-rolls the simulator's pipeline length often, so that each pipeline gets its own.</summary>
    private async Task VaryPipelineDurationsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                shop.GitLab.Ci.PipelineDuration = options.Scaled(random.Between(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)));
                await Task.Delay(options.Scaled(TimeSpan.FromMilliseconds(700)), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The demo is stopping.
        }
    }

    private static string FeatureFile(int number) => $"features/feature-{number}.txt";

    private static string FeatureText(int number, bool bad) =>
        $"Feature {number}: {Features[number % Features.Count]}.\n" + (bad ? $"{DemoProject.ForbiddenWord}: handle the corner cases\n" : "Corner cases handled.\n");

    private enum Kind
    {
        Good,
        Bad,
        Flaky,
        Conflicting,
    }

    private sealed record Outcome(string? DropNote);
}
