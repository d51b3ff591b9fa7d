using System.Security.Cryptography;
using System.Text;

namespace MergeTrain.FakeGitLab;

public sealed partial class FakeGitLab
{
    /// <summary>
    /// Writes a past of merged MRs and their finished pipelines straight into the store, as GitLab
    /// would show them: no git runs, no webhooks (it all happened before anyone listened). Each MR
    /// had one passing pipeline; a bad one first failed and was fixed by a new commit an hour or two
    /// later, a flaky one first failed and passed on the same commit when run again. The commits
    /// exist only as shas. Returns the MRs in creation order, with what the generator decided.
    /// </summary>
    public IReadOnlyList<GeneratedMergeRequest> GenerateMergedHistory(long projectId, MergedHistoryOptions options)
    {
        var entry = _store.GetProject(projectId);
        var random = new Random(options.Seed);
        var end = Now - TimeSpan.FromHours(4);
        var start = end - options.Span;
        var generated = new List<GeneratedMergeRequest>(options.Count);
        for (var k = 0; k < options.Count; k++)
        {
            var created = start + (options.Span * ((k + random.NextDouble()) / options.Count));
            var draw = random.NextDouble();
            var bad = draw < options.BadShare;
            var flaky = !bad && draw < options.BadShare + options.FlakyShare;
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var duration = TimeSpan.FromSeconds(Math.Round(options.PipelineMedian.TotalSeconds * Math.Exp(0.25 * gaussian)));
            var fixAfter = TimeSpan.FromMinutes(60 + (60 * random.NextDouble()));
            var branch = $"feature/history-{k + 1}";
            var first = Sha(projectId, branch, 1);
            var last = bad ? Sha(projectId, branch, 2) : first;
            var baseSha = Sha(projectId, "main", k);

            var mergeRequest = _store.AddMergeRequest(projectId, (id, iid) => new FakeMergeRequest
            {
                Id = id,
                Iid = iid,
                ProjectId = projectId,
                Title = $"History change {k + 1}",
                SourceBranch = branch,
                TargetBranch = entry.Project.DefaultBranch,
                Sha = last,
                BaseSha = baseSha,
                Author = Developer,
                CreatedAt = created,
                UpdatedAt = created,
                WebUrl = $"{entry.Project.WebUrl}/-/merge_requests/{iid}",
            });

            var at = created + TimeSpan.FromSeconds(5);
            if (bad || flaky)
            {
                var failed = AddFinishedPipeline(entry, mergeRequest.Iid, first, at, duration, PipelineStatuses.Failed);
                at = bad ? failed.FinishedAt!.Value + fixAfter : failed.FinishedAt!.Value + TimeSpan.FromMinutes(2);
            }

            var passed = AddFinishedPipeline(entry, mergeRequest.Iid, last, at, duration, PipelineStatuses.Success);
            var merged = passed.FinishedAt!.Value + TimeSpan.FromSeconds(30);
            mergeRequest = _store.UpdateMergeRequest(projectId, mergeRequest.Iid, m => m with
            {
                State = MergeRequestStates.Merged,
                MergedAt = merged,
                UpdatedAt = merged,
                MergeCommitSha = Sha(projectId, branch, 3),
            }).After;
            generated.Add(new GeneratedMergeRequest(mergeRequest, bad, flaky, duration));
        }

        return generated;
    }

    // A merge request pipeline (refs/merge-requests/:iid/head) that queued 20 s and ran its jobs one after another.
    private FakePipeline AddFinishedPipeline(ProjectEntry entry, long iid, string sha, DateTimeOffset created, TimeSpan duration, string status)
    {
        var started = created + TimeSpan.FromSeconds(20);
        var finished = started + duration;
        var names = Ci.JobNames;
        var share = duration / names.Count;
        var jobs = names.Select((name, i) => new FakeJob
        {
            Id = _store.NextJobId(),
            Name = name,
            Status = status == PipelineStatuses.Failed && i == names.Count - 1 ? PipelineStatuses.Failed : PipelineStatuses.Success,
            CreatedAt = created,
            StartedAt = started + (share * i),
            FinishedAt = started + (share * (i + 1)),
        }).ToList();

        return _store.AddPipeline(entry.Project.Id, (id, pipelineIid) => new FakePipeline
        {
            Id = id,
            Iid = pipelineIid,
            ProjectId = entry.Project.Id,
            Sha = sha,
            Ref = $"refs/merge-requests/{iid}/head",
            Status = status,
            Source = "merge_request_event",
            User = Developer,
            CreatedAt = created,
            UpdatedAt = finished,
            StartedAt = started,
            FinishedAt = finished,
            Log = "generated history",
            WebUrl = $"{entry.Project.WebUrl}/-/pipelines/{id}",
            Jobs = jobs,
        });
    }

    // Git shas are 40 hex digits; these name commits that exist only in the history.
    private static string Sha(long projectId, string branch, int version) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{projectId}/{branch}/{version}")))[..40];
}
