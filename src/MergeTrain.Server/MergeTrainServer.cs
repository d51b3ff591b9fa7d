using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Application.Effects;
using MergeTrain.Application.Mediation;
using MergeTrain.Application.Pipelines;
using MergeTrain.Application.Repositories;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using MergeTrain.Server.Api;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Dashboard;
using MergeTrain.Server.Database;
using MergeTrain.Server.Health;
using MergeTrain.Server.Http;
using MergeTrain.Server.Jobs;
using MergeTrain.Server.Metrics;
using MergeTrain.Server.Webhooks;
using Microsoft.AspNetCore.Authentication;

namespace MergeTrain.Server;

/// <summary>Composes the service: configuration, background services and endpoints.</summary>
public static class MergeTrainServer
{
    // The default authentication scheme: picks the API token's or the dashboard session's per request.
    private const string RequestScheme = "MergeTrain";

    /// <summary>
    /// Builds the web application from command-line arguments and the standard configuration
    /// sources; <paramref name="overrideServices"/> runs last, for tests that inject a failure.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrideServices = null)
    {
        // appsettings.json ships beside the binary; the working directory is the user's (it anchors DataDirectory).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.Services.AddMergeTrainOptions(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseReadiness>();
        builder.Services.AddSingleton<ProjectCatalog>();
        builder.Services.AddSingleton<ProjectRepositories>();

        // The data source exists once the database is ready; only what runs after that resolves it.
        builder.Services.AddSingleton(provider => provider.GetRequiredService<DatabaseReadiness>().DataSource ?? throw new DatabaseNotReadyException());
        builder.Services.AddSingleton<MergeSettingsReader>();
        builder.Services.AddSingleton<ITrainEffectExecutor, TrainEffectExecutor>();
        builder.Services.AddSingleton<TrainProcessor>();
        builder.Services.AddMergeTrainJobs(builder.Configuration);
        builder.Services.AddGitLabClient();

        builder.Services.AddMergeTrainMetrics();
        builder.Services.AddOptions<DashboardSessionOptions>().Bind(builder.Configuration.GetSection(DashboardSessionOptions.Section));
        builder.Services.AddSharedDataProtection();
        builder.Services.AddLoginRateLimit();
        builder.Services.AddProxyHeaders(builder.Configuration);
        builder.Services.AddMediation();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        // API tokens in headers everywhere; the dashboard's session cookie on the dashboard's addresses only.
        builder.Services.AddAuthentication(RequestScheme)
            .AddPolicyScheme(RequestScheme, null, scheme => scheme.ForwardDefaultSelector = context =>
                DashboardSessionAuthentication.Serves(context.Request) ? DashboardSessionAuthentication.SchemeName : ApiTokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, DashboardSessionAuthentication>(DashboardSessionAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiTokenAuthentication.AdminPolicy, policy => policy.RequireRole(ApiRoles.Admin));
        builder.Services.AddOptions<PipelinePollingOptions>().Bind(builder.Configuration.GetSection(PipelinePollingOptions.Section));

        // Hosted services stop in reverse order: the Hangfire server drains before the database stops.
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddHostedService<HangfireServerHost>();
        builder.Services.AddHostedService<OrphanedWorkWatcher>();
        overrideServices?.Invoke(builder.Services);
        builder.Services.SkipKeyRingPreload();

        var app = builder.Build();

        // Configuration errors surface at start, not at the first request; metrics are heard from the start.
        _ = app.Services.GetRequiredService<ProjectCatalog>();
        _ = app.Services.GetRequiredService<MeterBridge>();
        app.UseProxyHeaders(app.Configuration);
        app.Use(SecurityHeaders.AddAsync);
        app.UseExceptionHandler();
        app.Use(SameOriginPosts.CheckAsync);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMergeTrainHangfireDashboard();
        app.MapHealthEndpoints();
        app.MapMergeTrainApi();
        app.MapGitLabWebhooks();
        app.MapMetrics();
        app.MapDashboardLogin();
        app.MapOldDashboardRedirect();
        app.MapOpenApi();

        var options = app.Configuration.GetSection(MergeTrainOptions.Section).Get<MergeTrainOptions>() ?? new MergeTrainOptions();
        app.Logger.LogInformation(
            "MergeTrain {Version} starting (environment {Environment}, data directory {DataDirectory}, database {Database})",
            ServiceVersion.Current, app.Environment.EnvironmentName, options.DataDirectoryFullPath,
            options.UsesEmbeddedDatabase ? "embedded" : "external");
        return app;
    }
}
