using MergeTrain.Core.Trains;
using MergeTrain.FakeGitLab;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Demo;

/// <summary>
/// Tells on the console what MergeTrain does, as a GitLab user would see it: the notes it posts on
/// merge requests and how the pipelines of its cars end.
/// </summary>
public sealed class TrainNarrator(ShopGitLab shop, ILogger logger)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    private readonly HashSet<long> _toldPipelines = [];
    private long _lastNoteId;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                TellNews();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The demo is stopping.
        }
    }

    private void TellNews()
    {
        var gitLab = shop.GitLab;
        foreach (var note in gitLab.Notes.Where(n => n.Id > _lastNoteId && n.ProjectId == DemoProject.Id).OrderBy(n => n.Id))
        {
            _lastNoteId = note.Id;
            if (note.Author.Id == gitLab.ApiUser.Id)
            {
                logger.LogInformation("MergeTrain on !{Iid}: \"{Note}\"", note.MergeRequestIid, note.Body);
            }
        }

        foreach (var pipeline in gitLab.Pipelines.Where(p => p.IsFinished && PublishedBranches.TryParseCarBranch(PublishedBranches.DefaultCarBranchPrefix, p.Ref, out _, out _)).OrderBy(p => p.Id))
        {
            if (!_toldPipelines.Add(pipeline.Id))
            {
                continue;
            }

            var iid = pipeline.Variables.GetValueOrDefault("MERGE_TRAIN_IID", "?");
            var position = pipeline.Variables.GetValueOrDefault("MERGE_TRAIN_POSITION", "?");
            var outcome = pipeline.Status switch
            {
                PipelineStatuses.Success => "passed",
                PipelineStatuses.Failed => "failed: " + pipeline.Log,
                PipelineStatuses.Canceled => "was cancelled by MergeTrain (the car was rebuilt or removed)",
                _ => pipeline.Status,
            };
            logger.LogInformation("Pipeline #{PipelineId} of car {Position} (!{Iid}, commit {Sha}) {Outcome}", pipeline.Id, position, iid, pipeline.Sha[..8], outcome);
        }
    }
}
