using Dapper;
using MergeTrain.Postgres.Jobs;
using Npgsql;

namespace MergeTrain.Postgres.Tests.Jobs;

/// <summary>A handler whose every run leaves a row in <c>executions</c>, so the tests can count runs in the database.</summary>
internal sealed class RecordingHandler(NpgsqlDataSource dataSource, string kind, Func<Job, Task>? before = null) : IJobHandler
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS executions (job_id bigint NOT NULL, attempt int NOT NULL, server text NOT NULL)";

    public string Kind => kind;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        if (before is not null)
        {
            await before(job);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO executions VALUES (@Id, @Attempt, @server)",
            new { job.Id, job.Attempt, server = job.AttemptedBy[^1] });
    }
}
