using Hangfire;
using MergeTrain.Application.Webhooks;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// The Hangfire job that processes webhook deliveries. Hangfire stores this type's and this
/// method's names with every queued job: renaming one strands the jobs already queued.
/// That is why the class stays in the host, in this namespace and assembly, while the work it
/// runs lives in MergeTrain.Application.
/// </summary>
public sealed class WebhookJobs(WebhookProcessor processor)
{
    /// <summary>Processes the stored deliveries of project <paramref name="projectId"/> in arrival order.</summary>
    [JobDisplayName("Process webhooks of project {0}")]
    public Task Drain(long projectId, CancellationToken cancellationToken) => processor.DrainAsync(projectId, cancellationToken);
}
