using MergeTrain.Core.Trains;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>
/// Drives the engine like the shell will: decides events, then carries out the effects against a
/// fake git/GitLab whose commit SHAs spell out what they contain (<c>merge(base,head)</c>), and feeds
/// the results back. Pipelines keep running until a test finishes them.
/// </summary>
internal sealed class TrainHarness
{
    private readonly Queue<TrainEffect> _pending = new();
    private long _nextPipelineId = 100;

    public TrainHarness(TrainSettings? settings = null, string targetHead = "t0")
    {
        Engine = new TrainEngine(settings ?? new TrainSettings());
        State = TrainState.Create(42, "group/project", "main", targetHead);
        Target = targetHead;
    }

    public TrainEngine Engine { get; }

    public TrainState State { get; private set; }

    public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The target branch as the fake git server holds it.</summary>
    public string Target { get; private set; }

    public Decision Last { get; private set; } = null!;

    public List<TrainEffect> Effects { get; } = [];

    public List<AuditRecord> Audit { get; } = [];

    public Dictionary<long, FakePipeline> Pipelines { get; } = [];

    public List<(int Iid, string Body)> Notes { get; } = [];

    public List<SetCommitStatus> Statuses { get; } = [];

    public List<string> DeletedBranches { get; } = [];

    /// <summary>The outcomes of retried jobs, as every decision reported them.</summary>
    public List<JobRetryOutcome> JobRetries { get; } = [];

    /// <summary>Car or merged-result builds of these MR heads conflict, with these paths.</summary>
    public Dictionary<string, string[]> Conflicts { get; } = [];

    /// <summary>The latest finished pipeline of a commit outside the train (the target head's, say) and its failed jobs.</summary>
    public Dictionary<string, (long Id, string[] FailedJobs)> BasePipelines { get; } = [];

    /// <summary>
    /// Builds cars as a fast-forward merge method does: the car commit is the MR's commits rebased onto
    /// the base (<c>rebase(base,head)</c>), which the car reports as rewritten.
    /// </summary>
    public bool Rebases { get; set; }

    /// <summary>The MR source branches as the fake git server holds them, once the train published rewritten commits there.</summary>
    public Dictionary<string, string> SourceBranches { get; } = [];

    /// <summary>When false, effects stay queued until <see cref="Run"/> is called.</summary>
    public bool AutoRun { get; set; } = true;

    public Decision Send(TrainEvent trainEvent)
    {
        Last = Engine.Decide(State, trainEvent, Now);
        State = Last.State;
        Effects.AddRange(Last.Effects);
        Audit.AddRange(Last.Audit);
        JobRetries.AddRange(Last.JobRetries);
        foreach (var effect in Last.Effects)
        {
            _pending.Enqueue(effect);
        }

        var decision = Last;
        if (AutoRun)
        {
            Run();
        }

        return decision;
    }

    public static MergeRequestSnapshot Mr(int iid, string head, bool draft = false, MergeRequestState state = MergeRequestState.Opened) =>
        new(iid, $"Change {iid}", $"feature-{iid}", "main", head, draft, state);

    public Decision Add(int iid, string head, string? pinnedSha = null, string actor = "alice") =>
        Send(new MergeRequestAdded(Mr(iid, head), pinnedSha, actor));

    public Car Car(int iid) => State.FindCar(iid) ?? throw new InvalidOperationException($"!{iid} is not on the train");

    public Car FinishedCar(int iid) => State.Finished.Last(car => car.Iid == iid);

    public long PipelineOf(int iid) => Car(iid).Pipeline?.Id ?? throw new InvalidOperationException($"!{iid} has no pipeline");

    public Decision FinishPipeline(int iid, PipelineStatus status) => FinishPipeline(PipelineOf(iid), status);

    public Decision FinishPipeline(long pipelineId, PipelineStatus status)
    {
        var pipeline = Pipelines[pipelineId];
        pipeline.Status = status;
        return Send(new PipelineStatusChanged(pipelineId, pipeline.Sha, pipeline.Ref, status, pipeline.WebUrl));
    }

    /// <summary>The pipeline fails with these jobs failed (what GitLab would list and retry).</summary>
    public Decision FailJobs(int iid, params string[] jobs)
    {
        var pipeline = Pipelines[PipelineOf(iid)];
        pipeline.FailedJobs = jobs;
        return FinishPipeline(pipeline.Id, PipelineStatus.Failed);
    }

    /// <summary>Someone pushes to the target branch outside the train, and its hook has not arrived yet.</summary>
    public void MoveTargetUnseen(string sha) => Target = sha;

    /// <summary>Someone pushes to the target branch outside the train.</summary>
    public Decision PushToTarget(string sha)
    {
        Target = sha;
        return Send(new TargetBranchMoved(sha, "bob"));
    }

    public IEnumerable<long> RunningPipelines() =>
        Pipelines.Values.Where(pipeline => !pipeline.Status.IsFinished()).Select(pipeline => pipeline.Id);

    public void Run()
    {
        while (_pending.TryDequeue(out var effect))
        {
            Execute(effect);
        }
    }

    private void Execute(TrainEffect effect)
    {
        switch (effect)
        {
            case BuildCar build:
                var rebased = $"rebase({build.BaseSha},{build.HeadSha})";
                Send(Conflicts.TryGetValue(build.HeadSha, out var paths)
                    // As the executor reports it: the first paths shown, and how many there were.
                    ? new CarConflicted(build.Iid, build.Generation, build.BaseSha, paths.Take(TrainNotes.MaxConflictPathsShown).ToArray()) { TotalPaths = paths.Length }
                    : Rebases
                        ? new CarBuilt(build.Iid, build.Generation, build.BaseSha, rebased) { RewrittenHeadSha = rebased }
                        : new CarBuilt(build.Iid, build.Generation, build.BaseSha, $"merge({build.BaseSha},{build.HeadSha})"));
                break;
            case PublishRewrittenSource publish:
                var current = SourceBranches.GetValueOrDefault(publish.SourceBranch, publish.ExpectedSha);
                if (current == publish.ExpectedSha || current == publish.RewrittenSha)
                {
                    SourceBranches[publish.SourceBranch] = publish.RewrittenSha;
                    Send(new SourcePublished(publish.Iid, publish.Generation, publish.RewrittenSha));
                }
                else
                {
                    Send(new SourcePublicationRefused(publish.Iid, publish.Generation, current));
                }

                break;
            case PublishCar publish:
                Send(new CarPublished(publish.Iid, publish.Generation, publish.CommitSha));
                break;
            case StartPipeline start:
                var id = _nextPipelineId++;
                Pipelines[id] = new FakePipeline(id, start.Iid, start.Sha, start.Ref, $"https://gitlab.example/p/{id}") { Variables = start.Variables };
                Send(new PipelineCreated(start.Iid, start.Generation, start.Attempt, id, Pipelines[id].WebUrl));
                break;
            case CancelPipeline cancel:
                if (Pipelines.TryGetValue(cancel.PipelineId, out var cancelled) && !cancelled.Status.IsFinished())
                {
                    cancelled.Status = PipelineStatus.Canceled;
                    cancelled.CancelledByTrain = true;
                }

                break;
            case FastForwardTarget fastForward:
                if (Target == fastForward.FromSha)
                {
                    Target = fastForward.ToSha;
                    Send(new FastForwardSucceeded(fastForward.Iid, fastForward.FromSha, fastForward.ToSha));
                }
                else
                {
                    Send(new FastForwardRejected(fastForward.Iid, fastForward.ToSha, Target));
                }

                break;
            case MergeImmediately merge:
                if (Target == merge.BaseSha)
                {
                    Target = $"merge({merge.BaseSha},{merge.HeadSha})";
                    Send(new MergedImmediately(merge.Iid, merge.Generation, Target));
                }
                else
                {
                    Send(new MergeImmediatelyFailed(merge.Iid, merge.Generation, Target, [], "target moved"));
                }

                break;
            case RetryPipeline retry:
                var retried = Pipelines[retry.PipelineId];
                var failedJobs = retried.FailedJobs;
                retried.Status = PipelineStatus.Running;
                retried.FailedJobs = [];
                retried.Retries++;
                Send(new PipelineRetried(retry.Iid, retry.Generation, retry.Attempt, retry.PipelineId, failedJobs));
                break;
            case ListFailedJobs list:
                Send(new FailedJobsListed(list.Iid, list.Generation, list.PipelineId, Pipelines[list.PipelineId].FailedJobs));
                break;
            case ListBaseFailedJobs listBase:
                Send(BasePipelines.TryGetValue(listBase.BaseSha, out var basePipeline)
                    ? new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, basePipeline.Id, basePipeline.FailedJobs)
                    : new BaseJobsListed(listBase.Iid, listBase.Generation, listBase.BaseSha, null, []));
                break;
            case PostNote note:
                Notes.Add((note.Iid, note.Body));
                break;
            case SetCommitStatus status:
                Statuses.Add(status);
                break;
            case DeleteBranch delete:
                DeletedBranches.Add(delete.Branch);
                break;
            case BuildMergedResult build:
                Send(Conflicts.TryGetValue(build.HeadSha, out var conflictPaths)
                    ? new MergedResultConflicted(build.Iid, build.Generation, conflictPaths.Take(TrainNotes.MaxConflictPathsShown).ToArray()) { TotalPaths = conflictPaths.Length }
                    : new MergedResultBuilt(build.Iid, build.Generation, $"merge({build.BaseSha},{build.HeadSha})"));
                break;
            case StartMergedResultPipeline start:
                var mrPipeline = _nextPipelineId++;
                Pipelines[mrPipeline] = new FakePipeline(mrPipeline, start.Iid, start.Sha, start.Ref, $"https://gitlab.example/p/{mrPipeline}");
                Send(new MergedResultPipelineCreated(start.Iid, start.Generation, mrPipeline, Pipelines[mrPipeline].WebUrl));
                break;
            default:
                throw new InvalidOperationException($"unexpected effect {effect}");
        }
    }
}

internal sealed class FakePipeline(long id, int iid, string sha, string @ref, string webUrl)
{
    public long Id { get; } = id;

    public int Iid { get; } = iid;

    public string Sha { get; } = sha;

    public string Ref { get; } = @ref;

    public string WebUrl { get; } = webUrl;

    public PipelineStatus Status { get; set; } = PipelineStatus.Running;

    public bool CancelledByTrain { get; set; }

    /// <summary>The names of the jobs that failed in its last run.</summary>
    public IReadOnlyList<string> FailedJobs { get; set; } = [];

    /// <summary>How many times the train had its failed jobs retried.</summary>
    public int Retries { get; set; }

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}
