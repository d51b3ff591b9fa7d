using MergeTrain.FakeGitLab.Git;

namespace MergeTrain.FakeGitLab;

/// <summary>
/// Everything "GitLab" knows besides git itself, behind one lock: the service calls the API from
/// many threads while the CI simulator, the ref watcher and test code change the same records.
/// Records are immutable snapshots, replaced whole on every change.
/// </summary>
internal sealed class GitLabStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, ProjectEntry> _projects = [];
    private readonly Dictionary<(long ProjectId, long Iid), FakeMergeRequest> _mergeRequests = [];
    private readonly Dictionary<long, FakePipeline> _pipelines = [];
    private readonly List<FakeNote> _notes = [];
    private readonly List<FakeDiscussion> _discussions = [];
    private readonly List<FakeCommitStatus> _statuses = [];
    private readonly List<RecordedRequest> _requests = [];
    private long _nextMergeRequestId = 100;
    private long _nextPipelineId = 1000;
    private long _nextNoteId = 5000;
    private long _nextStatusId = 1;
    private long _nextJobId = 70000;

    public void AddProject(FakeProject project, BareRepository repository)
    {
        lock (_gate)
        {
            if (_projects.ContainsKey(project.Id) || _projects.Values.Any(p => p.Project.Path == project.Path))
            {
                throw new InvalidOperationException($"Project {project.Id} ({project.Path}) already exists.");
            }

            _projects[project.Id] = new ProjectEntry(project, repository);
        }
    }

    /// <summary>Finds a project by numeric id or by its (already decoded) path with namespace.</summary>
    public ProjectEntry? FindProject(string idOrPath)
    {
        lock (_gate)
        {
            return long.TryParse(idOrPath, out var id)
                ? _projects.GetValueOrDefault(id)
                : _projects.Values.FirstOrDefault(p => string.Equals(p.Project.Path, idOrPath, StringComparison.OrdinalIgnoreCase));
        }
    }

    public ProjectEntry GetProject(long id)
    {
        lock (_gate)
        {
            return _projects.TryGetValue(id, out var entry) ? entry : throw new KeyNotFoundException($"No project {id}.");
        }
    }

    public IReadOnlyList<ProjectEntry> Projects()
    {
        lock (_gate)
        {
            return [.. _projects.Values];
        }
    }

    public FakeMergeRequest AddMergeRequest(long projectId, Func<long, long, FakeMergeRequest> create)
    {
        lock (_gate)
        {
            var entry = _projects[projectId];
            var mergeRequest = create(_nextMergeRequestId++, ++entry.LastIid);
            _mergeRequests[(projectId, mergeRequest.Iid)] = mergeRequest;

            return mergeRequest;
        }
    }

    public FakeMergeRequest? FindMergeRequest(long projectId, long iid)
    {
        lock (_gate)
        {
            return _mergeRequests.GetValueOrDefault((projectId, iid));
        }
    }

    public IReadOnlyList<FakeMergeRequest> MergeRequests()
    {
        lock (_gate)
        {
            return [.. _mergeRequests.Values.OrderBy(m => m.Id)];
        }
    }

    /// <summary>Applies <paramref name="change"/> atomically; returns the records before and after.</summary>
    public (FakeMergeRequest Before, FakeMergeRequest After) UpdateMergeRequest(long projectId, long iid, Func<FakeMergeRequest, FakeMergeRequest> change)
    {
        lock (_gate)
        {
            var before = _mergeRequests.TryGetValue((projectId, iid), out var found)
                ? found : throw new KeyNotFoundException($"No merge request !{iid} in project {projectId}.");
            var after = change(before);
            _mergeRequests[(projectId, iid)] = after;

            return (before, after);
        }
    }

    public FakePipeline AddPipeline(long projectId, Func<long, long, FakePipeline> create)
    {
        lock (_gate)
        {
            var entry = _projects[projectId];
            var pipeline = create(_nextPipelineId++, ++entry.LastPipelineIid);
            _pipelines[pipeline.Id] = pipeline;

            return pipeline;
        }
    }

    public FakePipeline? FindPipeline(long id)
    {
        lock (_gate)
        {
            return _pipelines.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<FakePipeline> Pipelines()
    {
        lock (_gate)
        {
            return [.. _pipelines.Values.OrderBy(p => p.Id)];
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> unless the pipeline already finished (a finished pipeline
    /// never changes again); returns the new record, or null when nothing changed.
    /// </summary>
    public FakePipeline? UpdateRunningPipeline(long id, Func<FakePipeline, FakePipeline> change)
    {
        lock (_gate)
        {
            if (!_pipelines.TryGetValue(id, out var before) || before.IsFinished)
            {
                return null;
            }

            var after = change(before);
            _pipelines[id] = after;

            return after;
        }
    }

    /// <summary>New job ids, unique across pipelines.</summary>
    public long NextJobId()
    {
        lock (_gate)
        {
            return _nextJobId++;
        }
    }

    /// <summary>
    /// GitLab's pipeline retry: every failed or cancelled job gets a new job of the same name and the
    /// pipeline goes back to pending. Returns the pipeline and whether any job was retried; null when
    /// there is no such pipeline.
    /// </summary>
    public (FakePipeline Pipeline, bool Retried)? RetryPipeline(long id, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_pipelines.TryGetValue(id, out var before))
            {
                return null;
            }

            var retry = before.LatestJobs.Where(job => job.Status is PipelineStatuses.Failed or PipelineStatuses.Canceled).ToList();
            if (retry.Count == 0)
            {
                return (before, false);
            }

            var jobs = before.Jobs.Select(job => retry.Contains(job) ? job with { Retried = true } : job).ToList();
            jobs.AddRange(retry.Select(job => new FakeJob { Id = _nextJobId++, Name = job.Name, Stage = job.Stage, Status = PipelineStatuses.Pending, CreatedAt = now }));
            var after = before with { Status = PipelineStatuses.Pending, Jobs = jobs, FinishedAt = null, UpdatedAt = now, Log = before.Log + "; retried" };
            _pipelines[id] = after;

            return (after, true);
        }
    }

    public FakeNote AddNote(Func<long, FakeNote> create)
    {
        lock (_gate)
        {
            var note = create(_nextNoteId++);
            _notes.Add(note);

            return note;
        }
    }

    public IReadOnlyList<FakeNote> Notes()
    {
        lock (_gate)
        {
            return [.. _notes];
        }
    }

    public FakeDiscussion AddDiscussion(FakeDiscussion discussion)
    {
        lock (_gate)
        {
            _discussions.Add(discussion);

            return discussion;
        }
    }

    public IReadOnlyList<FakeDiscussion> Discussions(long projectId, long iid)
    {
        lock (_gate)
        {
            return [.. _discussions.Where(d => d.ProjectId == projectId && d.MergeRequestIid == iid)];
        }
    }

    /// <summary>Applies <paramref name="change"/> to a thread atomically; null when there is no such thread.</summary>
    public FakeDiscussion? UpdateDiscussion(long projectId, long iid, string id, Func<FakeDiscussion, FakeDiscussion> change)
    {
        lock (_gate)
        {
            var index = _discussions.FindIndex(d => d.ProjectId == projectId && d.MergeRequestIid == iid && d.Id == id);
            if (index < 0)
            {
                return null;
            }

            _discussions[index] = change(_discussions[index]);

            return _discussions[index];
        }
    }

    public FakeMergeSettings MergeSettings(long projectId)
    {
        lock (_gate)
        {
            return _projects[projectId].MergeSettings;
        }
    }

    public void SetMergeSettings(long projectId, Func<FakeMergeSettings, FakeMergeSettings> change)
    {
        lock (_gate)
        {
            var entry = _projects[projectId];
            entry.MergeSettings = change(entry.MergeSettings);
        }
    }

    /// <summary>The merge checks of this snapshot of a merge request, with the project's settings and threads now.</summary>
    public MergeStatus MergeStatusOf(FakeMergeRequest mergeRequest)
    {
        lock (_gate)
        {
            return MergeStatus.Of(mergeRequest, _projects[mergeRequest.ProjectId].MergeSettings, Discussions(mergeRequest.ProjectId, mergeRequest.Iid));
        }
    }

    public FakeCommitStatus AddStatus(Func<long, FakeCommitStatus> create)
    {
        lock (_gate)
        {
            var status = create(_nextStatusId++);
            _statuses.Add(status);

            return status;
        }
    }

    public IReadOnlyList<FakeCommitStatus> Statuses()
    {
        lock (_gate)
        {
            return [.. _statuses];
        }
    }

    public void AddRequest(RecordedRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    public IReadOnlyList<RecordedRequest> Requests()
    {
        lock (_gate)
        {
            return [.. _requests];
        }
    }
}

/// <summary>A project, its repository and its per-project counters (guarded by the store's lock).</summary>
internal sealed class ProjectEntry(FakeProject project, BareRepository repository)
{
    /// <summary>The project; replaced when its settings change (under the store's lock).</summary>
    public FakeProject Project { get; set; } = project;

    public BareRepository Repository { get; } = repository;

    public long LastIid { get; set; }

    public long LastPipelineIid { get; set; }

    public FakeMergeSettings MergeSettings { get; set; } = new();
}
