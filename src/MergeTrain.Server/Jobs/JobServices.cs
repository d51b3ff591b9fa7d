using Hangfire;
using MergeTrain.Application.Database;
using MergeTrain.Application.Jobs;
using MergeTrain.Application.Mediation;
using MergeTrain.Application.Pipelines;
using MergeTrain.Application.Webhooks;
using MergeTrain.Postgres.BackgroundJobs;
using MergeTrain.Postgres.Work;

namespace MergeTrain.Server.Jobs;

/// <summary>Hangfire and the work it runs, composed for the host.</summary>
public static class JobServices
{
    /// <summary>
    /// Registers Hangfire on MergeTrain's database (its storage asks the ready data source for each
    /// connection), MergeTrain's retry and latency filters, the jobs and the sweeper. The hosted
    /// <see cref="HangfireServerHost"/> is added by the host after the database's, so that it stops first.
    /// </summary>
    public static IServiceCollection AddMergeTrainJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section));
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section));

        // Registered before AddHangfire, whose own registration (JobStorage.Current) only fills a gap.
        services.AddSingleton<JobStorage>(provider =>
        {
            var readiness = provider.GetRequiredService<DatabaseReadiness>();
            return HangfireStorage.Create(() => readiness.DataSource ?? throw new DatabaseNotReadyException());
        });
        services.AddHangfire((provider, configuration) =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();

            // Global filters are process-wide: replaced, not added again, when a second host (tests) configures them.
            GlobalJobFilters.Filters.Remove<AutomaticRetryAttribute>();
            GlobalJobFilters.Filters.Remove<JobStartLatencyFilter>();
            GlobalJobFilters.Filters.Add(RetryPolicy.Filter(Random.Shared));
            GlobalJobFilters.Filters.Add(new JobStartLatencyFilter(provider.GetRequiredService<TimeProvider>()));
        });

        services.AddSingleton<IWorkScheduler, HangfireWorkScheduler>();
        services.AddSingleton<ExclusiveWork>();
        services.AddSingleton<WorkSweeper>();
        services.AddSingleton<HistoryPruner>();
        services.AddSingleton<WebhookProcessor>();
        services.AddSingleton<PipelinePoller>();
        services.AddSingleton<RunnerQueuePoller>();
        services.AddTransient<TrainJobs>();
        services.AddTransient<WebhookJobs>();
        services.AddTransient<MaintenanceJobs>();
        return services;
    }
}
