using MergeTrain.Core.Trains;
using MergeTrain.FakeGitLab;

namespace MergeTrain.Demo;

/// <summary>
/// The fake GitLab as the demo's developers see <see cref="DemoProject"/>: the pipelines of a car or
/// of a merged result, what the merge train bot said on a merge request, and waiting for either.
/// </summary>
public sealed class ShopGitLab(FakeGitLab.FakeGitLab gitLab)
{
    /// <summary>What MergeTrain's note says when it drops a car (SPEC section 3; TrainNotes in the core).</summary>
    public const string DroppedNote = "removed this merge request from the merge train";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public FakeGitLab.FakeGitLab GitLab { get; } = gitLab;

    public FakeMergeRequest MergeRequest(long iid) => GitLab.GetMergeRequest(DemoProject.Id, iid);

    /// <summary>The pipelines of <paramref name="iid"/>'s cars (branch <c>merge-train/main/:iid</c>), oldest first.</summary>
    public IReadOnlyList<FakePipeline> CarPipelines(long iid) => PipelinesOn(PublishedBranches.CarBranch(PublishedBranches.DefaultCarBranchPrefix, DemoProject.TargetBranch, iid));

    /// <summary>The merged results pipelines of <paramref name="iid"/> (branch <c>merged-results/:iid</c>), oldest first.</summary>
    public IReadOnlyList<FakePipeline> MergedResultPipelines(long iid) => PipelinesOn(PublishedBranches.MergedResultsBranch(iid));

    /// <summary>The newest pipeline id so far (0 when none), to tell later pipelines apart.</summary>
    public long LastPipelineId => GitLab.Pipelines.Select(p => p.Id).DefaultIfEmpty(0).Max();

    /// <summary>The newest note id so far (0 when none), to tell later notes apart.</summary>
    public long LastNoteId => GitLab.Notes.Select(n => n.Id).DefaultIfEmpty(0).Max();

    /// <summary>The notes MergeTrain (the API token's user) posted on <paramref name="iid"/> after note <paramref name="afterNoteId"/>.</summary>
    public IReadOnlyList<FakeNote> BotNotes(long iid, long afterNoteId = 0) =>
        [.. GitLab.NotesOn(DemoProject.Id, iid).Where(n => n.Id > afterNoteId && n.Author.Id == GitLab.ApiUser.Id)];

    public Task<string?> MainHeadAsync(CancellationToken cancellationToken) =>
        GitLab.GetBranchHeadAsync(DemoProject.Id, DemoProject.TargetBranch, cancellationToken);

    /// <summary>
    /// Waits until the service has seen a push to <paramref name="iid"/>: a merged results pipeline
    /// newer than <paramref name="pipelinesBefore"/>. A re-add decided before the push's webhook would
    /// be dropped by that webhook as "source updated": the service may process two webhooks in either order.
    /// </summary>
    public Task WaitUntilPushSeenAsync(long iid, long pipelinesBefore, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(() => MergedResultPipelines(iid).LastOrDefault(p => p.Id > pipelinesBefore), timeout, $"the service to see the push to !{iid}", cancellationToken);

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails with a <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout, string what, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private List<FakePipeline> PipelinesOn(string branch) =>
        [.. GitLab.Pipelines.Where(p => p.ProjectId == DemoProject.Id && p.Ref == branch).OrderBy(p => p.Id)];
}
