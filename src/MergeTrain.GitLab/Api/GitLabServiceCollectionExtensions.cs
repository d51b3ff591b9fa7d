using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MergeTrain.GitLab.Api;

/// <summary>Registers the GitLab client in a host's container.</summary>
public static class GitLabServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IGitLabApi"/> as a typed <see cref="HttpClient"/> client (one client serves
    /// every project: the connection is passed per call) and <see cref="TimeProvider.System"/> unless
    /// a clock is registered already.
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

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<IGitLabApi, GitLabClient>(client =>
        {
            // Attempts are timed by GitLabClient itself; this only bounds a call that ignores cancellation.
            client.Timeout = TimeSpan.FromMinutes(5);
        });
        return services;
    }
}
