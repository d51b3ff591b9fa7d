namespace MergeTrain.Core.Trains;

/// <summary>How one retried job of a car pipeline ended (the flake record, issue 12).</summary>
/// <param name="At">When the outcome was decided.</param>
/// <param name="Iid">The car's MR.</param>
/// <param name="PipelineId">The retried pipeline.</param>
/// <param name="JobName">The job's name.</param>
/// <param name="PassedOnRetry">True when the job passed on a retry (flaky), false when it failed again.</param>
public sealed record JobRetryOutcome(DateTimeOffset At, int Iid, long PipelineId, string JobName, bool PassedOnRetry)
{
    /// <summary>The metric and record label of the outcome.</summary>
    public string Outcome => PassedOnRetry ? "passed_on_retry" : "failed_again";
}
