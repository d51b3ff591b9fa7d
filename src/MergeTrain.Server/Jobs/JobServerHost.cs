using MergeTrain.Postgres.Jobs;
using MergeTrain.Server.Database;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Jobs;

/// <summary>Runs this instance's <see cref="JobServer"/> once the database is ready.</summary>
public sealed class JobServerHost(
    DatabaseReadiness readiness,
    IServiceProvider services,
    IOptions<JobServerOptions> options,
    TimeProvider clock,
    ILogger<JobServer> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (readiness.DataSource is null)
        {
            if (readiness.Status == DatabaseStatus.Failed)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, stoppingToken);
        }

        // Handlers need the database, so they are built only now that it is ready.
        var handlers = services.GetServices<IJobHandler>();
        var server = new JobServer(readiness.DataSource, handlers, options.Value, clock, logger);
        await server.RunAsync(stoppingToken);
    }
}
