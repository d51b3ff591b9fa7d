using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Postgres.Embedded;
using MergeTrain.Postgres.Migrations;
using MergeTrain.Postgres.Trains;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Server.Database;

/// <summary>
/// Brings the database up in the background so that the HTTP endpoints answer at once and
/// <c>/readyz</c> can tell the truth meanwhile: starts the embedded PostgreSQL when no connection
/// string is configured (or waits for the configured server), then applies the migrations.
/// </summary>
public sealed class DatabaseStartup(
    IOptions<MergeTrainOptions> options,
    ProjectCatalog projects,
    TimeProvider clock,
    DatabaseReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    ILogger<DatabaseStartup> logger) : BackgroundService
{
    // A retry is one TCP connect: cheap. A long cap cost a service restarted while its database
    // was restarting too (a host reboot, the chaos suite's kills of both) up to 30 s of doing
    // nothing after the database was back; 2 s keeps that within seconds.
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private EmbeddedPostgres? _embedded;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string connectionString;
        try
        {
            connectionString = options.Value.UsesEmbeddedDatabase
                ? await StartEmbeddedAsync(stoppingToken)
                : options.Value.ConnectionString!;
        }
        catch (Exception error) when (error is PostgresNotInstalledException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Nothing will fix itself here: say why and stop, rather than serve a service that cannot work.
            logger.LogCritical(error, "The embedded PostgreSQL could not be started: {Reason}", error.Message);
            readiness.Failed(error.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        var dataSource = NpgsqlDataSource.Create(connectionString);
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var runner = new MigrationRunner(dataSource, loggerFactory.CreateLogger<MigrationRunner>());
                var applied = await runner.ApplyServiceAsync(stoppingToken);
                await SyncProjectsAsync(dataSource, stoppingToken);
                var database = new NpgsqlConnectionStringBuilder(connectionString);
                readiness.Ready(dataSource, $"{database.Host}:{database.Port}/{database.Database}");
                logger.LogInformation(
                    "Database {Host}:{Port}/{Database} ready: {Applied} migration(s) applied now, schema at version {Version}",
                    database.Host, database.Port, database.Database, applied, Migration.Service[^1].Version);
                return;
            }
            catch (PostgresException error) when (!error.IsTransient)
            {
                // The server answered and refused (a constraint, a permission): waiting will not help.
                logger.LogCritical(error, "Database start-up failed: {Reason}", error.MessageText);
                readiness.Failed(error.MessageText);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }
            catch (NpgsqlException error) when (!stoppingToken.IsCancellationRequested)
            {
                // An external server may simply not be up yet: keep trying, and keep /readyz honest.
                readiness.Waiting($"waiting for the database: {error.Message}");
                logger.LogWarning("Database not reachable ({Reason}); retrying in {Delay}", error.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (InvalidOperationException error)
            {
                logger.LogCritical(error, "Database migration failed: {Reason}", error.Message);
                readiness.Failed(error.Message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (readiness.DataSource is { } dataSource)
        {
            await dataSource.DisposeAsync();
        }

        if (_embedded is not null)
        {
            await _embedded.StopAsync(cancellationToken);
        }
    }

    /// <summary>Records the configured projects and their train settings, so that trains can be processed by any instance.</summary>
    private async Task SyncProjectsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var project in projects.All)
        {
            await TrainStore.UpsertProjectAsync(connection, null, project.Id, project.Path, project.Settings, clock.GetUtcNow());
            logger.LogInformation("Project {ProjectId} ({ProjectPath}) served: {MaxParallelPipelines} pipelines at once", project.Id, project.Path, project.Settings.MaxParallelPipelines);
        }

        if (projects.All.Count == 0)
        {
            logger.LogWarning("No project configured: set MergeTrain:Projects:0:Id, :Path, :GitLabUrl, :GitLabToken, :WebhookSecret and :RepositoryUrl (see README)");
        }
    }

    private async Task<string> StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(options.Value.DataDirectoryFullPath, "postgres");
        logger.LogInformation("No MergeTrain:ConnectionString configured: starting the embedded PostgreSQL in {Directory}", directory);
        _embedded = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = directory },
            loggerFactory.CreateLogger<EmbeddedPostgres>(),
            cancellationToken);
        return _embedded.ConnectionString;
    }
}
