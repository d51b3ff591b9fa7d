using Dapper;
using MergeTrain.Core.Trains;
using Npgsql;

namespace MergeTrain.Postgres.Trains;

/// <summary>The flake record (table <c>flaky_jobs</c>): retried jobs and their outcomes, per project and job name.</summary>
public static class FlakyJobStore
{
    private const string Upsert = """
        INSERT INTO flaky_jobs (project_id, job_name, passed_on_retry, failed_again, last_iid, last_pipeline, last_outcome, last_at)
        VALUES (@projectId, @jobName, @passed, @failed, @iid, @pipelineId, @outcome, @at)
        ON CONFLICT (project_id, job_name) DO UPDATE SET
            passed_on_retry = flaky_jobs.passed_on_retry + EXCLUDED.passed_on_retry,
            failed_again = flaky_jobs.failed_again + EXCLUDED.failed_again,
            last_iid = EXCLUDED.last_iid,
            last_pipeline = EXCLUDED.last_pipeline,
            last_outcome = EXCLUDED.last_outcome,
            last_at = EXCLUDED.last_at
        """;

    private const string SelectFlakiest = """
        SELECT f.project_id, p.path AS project_path, f.job_name, f.passed_on_retry, f.failed_again,
               f.last_iid, f.last_pipeline, f.last_outcome, f.last_at
        FROM flaky_jobs f JOIN projects p ON p.id = f.project_id
        ORDER BY f.passed_on_retry DESC, f.failed_again DESC, p.path, f.job_name
        LIMIT @limit
        """;

    static FlakyJobStore() => DapperTypes.Register();

    /// <summary>Adds the outcomes of retried jobs of one project, in the caller's transaction.</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long projectId, IReadOnlyList<JobRetryOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            await connection.ExecuteAsync(new CommandDefinition(Upsert, new
            {
                projectId,
                jobName = outcome.JobName,
                passed = outcome.PassedOnRetry ? 1L : 0L,
                failed = outcome.PassedOnRetry ? 0L : 1L,
                iid = outcome.Iid,
                pipelineId = outcome.PipelineId,
                outcome = outcome.Outcome,
                at = outcome.At,
            }, transaction));
        }
    }

    /// <summary>
    /// The jobs that passed on retry most often first (then those that failed again most), at most
    /// <paramref name="limit"/>; synchronous, as the dashboard reads.
    /// </summary>
    public static IReadOnlyList<FlakyJob> Flakiest(NpgsqlConnection connection, int limit) =>
        connection.Query<FlakyJob>(SelectFlakiest, new { limit }).AsList();
}

/// <summary>One job's flake record.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="ProjectPath">Its path.</param>
/// <param name="JobName">The CI job's name.</param>
/// <param name="PassedOnRetry">How often it failed and then passed on a retry.</param>
/// <param name="FailedAgain">How often it failed and then failed again on a retry.</param>
/// <param name="LastIid">The MR of the latest outcome.</param>
/// <param name="LastPipeline">Its pipeline.</param>
/// <param name="LastOutcome"><c>passed_on_retry</c> or <c>failed_again</c>.</param>
/// <param name="LastAt">When.</param>
public sealed record FlakyJob(
    long ProjectId, string ProjectPath, string JobName, long PassedOnRetry, long FailedAgain, int LastIid, long LastPipeline, string LastOutcome, DateTimeOffset LastAt)
{
    /// <summary>How many times the train retried it.</summary>
    public long Retries => PassedOnRetry + FailedAgain;
}
