using System.Diagnostics;
using MergeTrain.FakeGitLab;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Demo;

/// <summary>
/// SPEC section 1, scenario B, played for real against the running service: MR-1 forbids a word
/// that MR-2 uses; each passes alone; on the train car 1 merges, car 2 fails and is dropped with a
/// note; MR-2 is fixed, added again, and merges.
/// </summary>
public sealed class ScenarioB(ShopGitLab shop, DemoOptions options, ILogger logger)
{
    // Generous: a step waits for the service (webhook, build, pipeline), not for a person.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    private const string GiftFile = "src/gift-wrapping.txt";

    public async Task<ScenarioBResult> PlayAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var gitLab = shop.GitLab;
        // One pipeline length for the whole scenario, long enough to see car 2 start while car 1 runs.
        gitLab.Ci.PipelineDuration = options.Scaled(TimeSpan.FromSeconds(6));
        logger.LogInformation(
            "Scenario B: two merge requests that each pass on their own, but break {Branch} together. The merge train keeps them apart.",
            DemoProject.TargetBranch);

        var mr1 = await gitLab.CreateMergeRequestAsync(DemoProject.Id, new MergeRequestSpec("forbid-todo", $"Forbid {DemoProject.ForbiddenWord} markers")
        {
            Files = new Dictionary<string, string?>
            {
                ["lint.rules"] = $"# one forbidden word per line; CI fails when any other file contains one\n{DemoProject.ForbiddenWord}\n",
            },
        }, cancellationToken);
        logger.LogInformation("Opened !{Iid} \"{Title}\": it adds {Word} to lint.rules, so CI will reject any file with a {Word} in it", mr1.Iid, mr1.Title, DemoProject.ForbiddenWord, DemoProject.ForbiddenWord);
        var mr2 = await gitLab.CreateMergeRequestAsync(DemoProject.Id, new MergeRequestSpec("gift-wrapping", "Offer gift wrapping")
        {
            Files = new Dictionary<string, string?> { [GiftFile] = $"Gift wrapping: 3.00 EUR\n{DemoProject.ForbiddenWord}: choose the paper colours\n" },
        }, cancellationToken);
        logger.LogInformation("Opened !{Iid} \"{Title}\": it adds a file with a {Word} note, fine as long as {Branch} does not forbid {Word}", mr2.Iid, mr2.Title, DemoProject.ForbiddenWord, DemoProject.TargetBranch, DemoProject.ForbiddenWord);

        await OwnPipelinePassedAsync(mr1, cancellationToken);
        await OwnPipelinePassedAsync(mr2, cancellationToken);

        // Steps 1 and 2: both join the train by label, MR-1 first. Waiting for MR-1's car before
        // labelling MR-2 keeps that order: the service may process two webhooks in either order.
        var mainBefore = await shop.MainHeadAsync(cancellationToken);
        await gitLab.AddLabelAsync(DemoProject.Id, mr1.Iid, DemoProject.TrainLabel, cancellationToken);
        logger.LogInformation("Step 1: added the {Label} label to !{Iid}", DemoProject.TrainLabel, mr1.Iid);
        var car1 = await ShopGitLab.WaitForAsync(() => shop.CarPipelines(mr1.Iid) is [var first, ..] ? first : null, StepTimeout, $"the pipeline of !{mr1.Iid}'s car", cancellationToken);
        logger.LogInformation(
            "Step 1: car 1 = merge({Branch} {Main}, !{Iid}) is commit {Car}; its pipeline #{PipelineId} started",
            DemoProject.TargetBranch, Short(mainBefore), mr1.Iid, Short(car1.Sha), car1.Id);

        await gitLab.AddLabelAsync(DemoProject.Id, mr2.Iid, DemoProject.TrainLabel, cancellationToken);
        logger.LogInformation("Step 2: added the {Label} label to !{Iid}", DemoProject.TrainLabel, mr2.Iid);
        var car2 = await ShopGitLab.WaitForAsync(() => shop.CarPipelines(mr2.Iid) is [var first, ..] ? first : null, StepTimeout, $"the pipeline of !{mr2.Iid}'s car", cancellationToken);
        logger.LogInformation(
            "Step 2: car 2 = merge(car 1 {Car1}, !{Iid}) is commit {Car2}; its pipeline #{PipelineId} started while car 1's is {Status}: no waiting",
            Short(car1.Sha), mr2.Iid, Short(car2.Sha), car2.Id, gitLab.GetPipeline(car1.Id).Status);

        // Step 3: car 1 passes and the target branch is fast-forwarded to exactly its commit.
        await ShopGitLab.WaitForAsync(() => shop.MergeRequest(mr1.Iid).State == MergeRequestStates.Merged ? "merged" : null, StepTimeout, $"!{mr1.Iid} to be merged", cancellationToken);
        logger.LogInformation(
            "Step 3: car 1's pipeline #{PipelineId} passed; {Branch} was fast-forwarded to {Head}, the tested commit: !{Iid} is merged",
            car1.Id, DemoProject.TargetBranch, Short(await shop.MainHeadAsync(cancellationToken)), mr1.Iid);

        // Step 4: car 2 holds MR-1's rule and MR-2's violation: it fails, and MR-2 is dropped with a note.
        var dropNote = await ShopGitLab.WaitForAsync(
            () => shop.BotNotes(mr2.Iid).FirstOrDefault(n => n.Body.Contains(ShopGitLab.DroppedNote, StringComparison.Ordinal)),
            StepTimeout, $"!{mr2.Iid} to be dropped", cancellationToken);
        logger.LogInformation(
            "Step 4: car 2's pipeline #{PipelineId} {Status} ({Log}); !{Iid} was dropped with the note \"{Note}\"; {Branch} is still {Head}",
            car2.Id, gitLab.GetPipeline(car2.Id).Status, gitLab.GetPipeline(car2.Id).Log, mr2.Iid, dropNote.Body,
            DemoProject.TargetBranch, Short(await shop.MainHeadAsync(cancellationToken)));

        // Step 5: the author fixes MR-2 and adds it again; it becomes car 1 and merges when green.
        var pipelinesBefore = shop.LastPipelineId;
        var fixedMr2 = await gitLab.PushToMergeRequestAsync(
            DemoProject.Id, mr2.Iid, new Dictionary<string, string?> { [GiftFile] = "Gift wrapping: 3.00 EUR\nPaper colours: red and gold\n" },
            "Replace the note by the paper colours", cancellationToken);
        logger.LogInformation("Step 5: the author of !{Iid} pushed a fix, {Sha}: no more {Word}", mr2.Iid, Short(fixedMr2.Sha), DemoProject.ForbiddenWord);
        await shop.WaitUntilPushSeenAsync(mr2.Iid, pipelinesBefore, StepTimeout, cancellationToken);
        await gitLab.CommentAsync(DemoProject.Id, mr2.Iid, "/merge-train", cancellationToken);
        logger.LogInformation("Step 5: commented /merge-train on !{Iid} to add it again", mr2.Iid);
        await ShopGitLab.WaitForAsync(() => shop.MergeRequest(mr2.Iid).State == MergeRequestStates.Merged ? "merged" : null, StepTimeout, $"!{mr2.Iid} to be merged", cancellationToken);
        var fixedCar = shop.CarPipelines(mr2.Iid).Last(p => p.Status == PipelineStatuses.Success);
        logger.LogInformation(
            "Step 5: !{Iid} merged as car {Position} of a new train (pipeline #{PipelineId}); {Branch} is now {Head}",
            mr2.Iid, fixedCar.Variables.GetValueOrDefault("MERGE_TRAIN_POSITION", "?"), fixedCar.Id, DemoProject.TargetBranch,
            Short(await shop.MainHeadAsync(cancellationToken)));
        logger.LogInformation("Scenario B played in {Seconds:0} s: {Branch} never saw the broken combination", clock.Elapsed.TotalSeconds, DemoProject.TargetBranch);

        return new ScenarioBResult(mr1.Iid, mr2.Iid, car1.Id, car2.Id, dropNote.Body, fixedCar.Id, clock.Elapsed);
    }

    /// <summary>Waits for the merge request's own (merged results) pipeline to pass, as a reviewer would.</summary>
    private async Task OwnPipelinePassedAsync(FakeMergeRequest mergeRequest, CancellationToken cancellationToken)
    {
        var passed = await ShopGitLab.WaitForAsync(
            () => shop.MergedResultPipelines(mergeRequest.Iid).FirstOrDefault(p => p.Status == PipelineStatuses.Success),
            StepTimeout, $"!{mergeRequest.Iid}'s merged results pipeline to pass", cancellationToken);
        logger.LogInformation("!{Iid}'s own merged results pipeline #{PipelineId} passed", mergeRequest.Iid, passed.Id);
    }

    private static string Short(string? sha) => sha is null ? "(none)" : sha[..8];
}
