using MergeTrain.Server.Configuration;
using MergeTrain.Server.Database;
using MergeTrain.Server.Health;
using MergeTrain.Postgres.Jobs;
using MergeTrain.Server.Jobs;

namespace MergeTrain.Server;

/// <summary>Composes the service: configuration, background services and endpoints.</summary>
public static class MergeTrainServer
{
    /// <summary>Builds the web application from command-line arguments and the standard configuration sources.</summary>
    public static WebApplication Build(string[] args)
    {
        // appsettings.json ships beside the binary; the working directory is the user's (it anchors DataDirectory).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.Services.AddOptions<MergeTrainOptions>().Bind(builder.Configuration.GetSection(MergeTrainOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseReadiness>();
        builder.Services.AddOptions<JobServerOptions>().Bind(builder.Configuration.GetSection($"{MergeTrainOptions.Section}:Jobs"));

        // Hosted services stop in reverse order: the job server drains and deregisters before the database stops.
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddHostedService<JobServerHost>();

        var app = builder.Build();
        app.MapHealthEndpoints();

        var options = app.Configuration.GetSection(MergeTrainOptions.Section).Get<MergeTrainOptions>() ?? new MergeTrainOptions();
        app.Logger.LogInformation(
            "MergeTrain {Version} starting (environment {Environment}, data directory {DataDirectory}, database {Database})",
            JobServer.Version, app.Environment.EnvironmentName, options.DataDirectoryFullPath,
            options.UsesEmbeddedDatabase ? "embedded" : "external");
        return app;
    }
}
