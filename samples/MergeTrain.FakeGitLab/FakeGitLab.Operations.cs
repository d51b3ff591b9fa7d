namespace MergeTrain.FakeGitLab;

/// <summary>The state changes behind the write endpoints, shared with the simulated users.</summary>
public sealed partial class FakeGitLab
{
    /// <summary>Starts a pipeline on a branch's head; null when the branch does not exist.</summary>
    internal async Task<FakePipeline?> CreatePipelineAsync(
        ProjectEntry entry, string branch, IReadOnlyDictionary<string, string> variables, FakeUser user, CancellationToken cancellationToken)
    {
        var sha = await entry.Repository.ResolveAsync("refs/heads/" + branch, cancellationToken);
        return sha is null ? null : StartPipeline(entry, branch, sha, "api", variables, user);
    }

    /// <summary>Records a pipeline of <see cref="CiSimulator.JobNames"/> on a commit of a branch and lets the CI run it.</summary>
    private FakePipeline StartPipeline(ProjectEntry entry, string branch, string sha, string source, IReadOnlyDictionary<string, string> variables, FakeUser user)
    {
        var now = Now;
        var pipeline = _store.AddPipeline(entry.Project.Id, (id, iid) => new FakePipeline
        {
            Id = id,
            Iid = iid,
            ProjectId = entry.Project.Id,
            Sha = sha,
            Ref = branch,
            Status = PipelineStatuses.Created,
            Source = source,
            Variables = variables,
            User = user,
            CreatedAt = now,
            UpdatedAt = now,
            WebUrl = $"{entry.Project.WebUrl}/-/pipelines/{id}",
            Jobs = [.. Ci.JobNames.Select(name => new FakeJob { Id = _store.NextJobId(), Name = name, Status = PipelineStatuses.Created, CreatedAt = now })],
        });
        Ci.Start(entry, pipeline);

        return pipeline;
    }

    internal Task<FakePipeline?> CancelPipelineAsync(ProjectEntry entry, long pipelineId) => Ci.CancelAsync(entry, pipelineId);

    internal Task<FakePipeline?> RetryPipelineAsync(ProjectEntry entry, long pipelineId) => Ci.RetryAsync(entry, pipelineId);

    /// <summary>Stores a note and queues its Note Hook; the task in the result completes on delivery.</summary>
    internal async Task<(FakeNote Note, Task Delivery)> AddNoteAsync(ProjectEntry entry, FakeMergeRequest mergeRequest, string body, FakeUser author)
    {
        var note = _store.AddNote(id => new FakeNote(id, entry.Project.Id, mergeRequest.Iid, body, author, Now));
        var lastCommit = await ReadCommitAsync(entry, mergeRequest.Sha);
        var delivery = _sender.SendAsync("Note Hook", _payloads.NoteHook(entry.Project, author, note, mergeRequest, lastCommit));

        return (note, delivery);
    }
}
