namespace MergeTrain.GitLab.Api;

/// <summary>
/// The GitLab v4 calls MergeTrain makes (SPEC section 5), on a project's GitLab with its token.
/// Reads and calls that are harmless to repeat (cancel, commit status) are retried with backoff
/// on throttling (429), server errors (5xx), network errors and timeouts. A call that creates
/// something (a pipeline, a note) is retried only when GitLab cannot have acted on it (429, a
/// refused connection): after a timeout or a 5xx it may have, so it throws at once and the caller
/// looks before it tries again. When attempts run out, or a creating call may have happened,
/// <see cref="GitLabUnavailableException"/> is thrown (transient: try again later). Other 4xx
/// answers, and answers that are not the documented JSON, throw <see cref="GitLabApiException"/>
/// at once (permanent).
/// </summary>
public interface IGitLabApi
{
    /// <summary><c>GET /projects/:id</c>: the project's merge method and squash option.</summary>
    Task<GitLabProject> GetProjectAsync(GitLabConnection gitLab, long projectId, CancellationToken cancellationToken);

    /// <summary><c>GET /projects/:id/merge_requests/:iid</c>.</summary>
    Task<GitLabMergeRequest> GetMergeRequestAsync(GitLabConnection gitLab, long projectId, int iid, CancellationToken cancellationToken);

    /// <summary><c>POST /projects/:id/pipeline</c> with <c>ref</c> (<paramref name="gitRef"/>) and <c>variables</c>.</summary>
    Task<GitLabPipeline> CreatePipelineAsync(
        GitLabConnection gitLab, long projectId, string gitRef, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken);

    /// <summary><c>GET /projects/:id/pipelines/:pipeline_id</c>.</summary>
    Task<GitLabPipeline> GetPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken);

    /// <summary><c>POST /projects/:id/pipelines/:pipeline_id/cancel</c>.</summary>
    Task<GitLabPipeline> CancelPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken);

    /// <summary>
    /// <c>POST /projects/:id/pipelines/:pipeline_id/retry</c>: GitLab starts new jobs for the failed and
    /// cancelled jobs of the pipeline, which goes back to pending/running; answers the pipeline.
    /// </summary>
    Task<GitLabPipeline> RetryPipelineAsync(GitLabConnection gitLab, long projectId, long pipelineId, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /projects/:id/pipelines/:pipeline_id/jobs</c> with <c>scope[]</c> = <paramref name="scopes"/>
    /// (job statuses, e.g. <c>failed</c>), the first page of 100: the latest try of each job, not the retried ones.
    /// </summary>
    Task<IReadOnlyList<GitLabJob>> ListPipelineJobsAsync(GitLabConnection gitLab, long projectId, long pipelineId, IReadOnlyList<string> scopes, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /projects/:id/jobs?scope[]=pending</c>, the first page of 100: the project's jobs that
    /// wait for a runner, newest first. Past 100 the count says only "at least 100", which is enough
    /// to know the runners are full.
    /// </summary>
    Task<IReadOnlyList<GitLabJob>> ListPendingJobsAsync(GitLabConnection gitLab, long projectId, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /projects/:id/pipelines?ref=:ref&amp;sha=:sha</c>: before starting a pipeline again
    /// after a crash, the service looks for the one it may already have started.
    /// </summary>
    Task<IReadOnlyList<GitLabPipeline>> ListPipelinesAsync(GitLabConnection gitLab, long projectId, string gitRef, string sha, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /projects/:id/pipelines?sha=:sha&amp;order_by=id&amp;sort=desc</c>, the first page of 100:
    /// every pipeline run on a commit, whatever its ref (a car branch, the target branch), newest first.
    /// </summary>
    Task<IReadOnlyList<GitLabPipeline>> ListCommitPipelinesAsync(GitLabConnection gitLab, long projectId, string sha, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /projects/:id/merge_requests/:iid/notes</c>, newest first, the first page of 100:
    /// before posting a note again after a failure, the service looks for the one it may have posted.
    /// </summary>
    Task<IReadOnlyList<GitLabNote>> ListNotesAsync(GitLabConnection gitLab, long projectId, int iid, CancellationToken cancellationToken);

    /// <summary><c>POST /projects/:id/merge_requests/:iid/notes</c> with <c>body</c>.</summary>
    Task CreateNoteAsync(GitLabConnection gitLab, long projectId, int iid, string body, CancellationToken cancellationToken);

    /// <summary><c>POST /projects/:id/statuses/:sha</c>.</summary>
    Task SetCommitStatusAsync(GitLabConnection gitLab, long projectId, string sha, GitLabCommitStatus status, CancellationToken cancellationToken);
}

/// <summary>Where a project's GitLab is and the token to call it with.</summary>
/// <param name="BaseUrl">The instance's root, e.g. <c>https://gitlab.example.com</c>; the API is under <c>/api/v4</c>.</param>
/// <param name="Token">Sent as <c>PRIVATE-TOKEN</c>; never logged.</param>
public sealed record GitLabConnection(Uri BaseUrl, string Token)
{
    /// <summary>Keeps the token out of logs.</summary>
    public override string ToString() => $"GitLabConnection {{ BaseUrl = {BaseUrl} }}";
}

/// <summary>GitLab answered a call with an error that retrying will not fix (a 4xx other than 429).</summary>
public sealed class GitLabApiException(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status GitLab answered with.</summary>
    public int StatusCode { get; } = statusCode;
}
