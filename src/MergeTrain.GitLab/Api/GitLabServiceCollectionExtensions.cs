using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MergeTrain.GitLab.Api;

/// <summary>Registers the GitLab client in a host's container.</summary>
public static class GitLabServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IGitLabApi"/> as a typed <see cref="HttpClient"/> client (one client serves
    /// every project: the connection is passed per call) whose handlers are, outermost first, the
    /// resilience pipeline (<see cref="GitLabClientOptions"/>: total timeout, retries of what is safe
    /// to repeat, per-attempt timeout) and the attempt handler; and <see cref="TimeProvider.System"/>
    /// unless a clock is registered already (the pipeline waits and times out on it).
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="configure">Adjusts the retry and timeout settings.</param>
    public static IServiceCollection AddGitLabClient(this IServiceCollection services, Action<GitLabClientOptions>? configure = null)
    {
        var options = services.AddOptions<GitLabClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            settings => settings.MaxAttempts >= 1
                && settings.AttemptTimeout > TimeSpan.Zero
                && settings.TotalTimeout >= settings.AttemptTimeout
                && settings.BaseDelay >= TimeSpan.Zero
                && settings.MaxDelay >= settings.BaseDelay,
            "GitLab client: MaxAttempts must be at least 1, AttemptTimeout positive and at most TotalTimeout, BaseDelay at most MaxDelay.");

        services.TryAddSingleton(TimeProvider.System);
        var http = services.AddHttpClient<IGitLabApi, GitLabClient>(client =>
        {
            // The pipeline's total timeout bounds every call; a second, shorter bound here would cut
            // a call short with an exception the client does not expect.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        http.AddResilienceHandler(GitLabResiliencePipeline.Name, (pipeline, context) => GitLabResiliencePipeline.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<GitLabClientOptions>>().Value,
            context.ServiceProvider.GetRequiredService<TimeProvider>(),
            context.ServiceProvider.GetRequiredService<ILogger<GitLabClient>>()));
        http.AddHttpMessageHandler(() => new GitLabAttemptHandler());
        return services;
    }
}
