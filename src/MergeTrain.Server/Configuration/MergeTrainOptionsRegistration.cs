using MergeTrain.Application.Configuration;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Configuration;

/// <summary>Binds <see cref="MergeTrainOptions"/> so that a value that cannot be read stops the service.</summary>
public static class MergeTrainOptionsRegistration
{
    /// <summary>
    /// Binds the <c>MergeTrain</c> section. The configuration binder quietly leaves out a list element
    /// it cannot convert, so a project with, say, <c>PendingFailureDepth=deep</c> would vanish from
    /// <see cref="MergeTrainOptions.Projects"/>; each project is therefore also bound on its own,
    /// which throws an <see cref="InvalidOperationException"/> naming the key.
    /// </summary>
    public static OptionsBuilder<MergeTrainOptions> AddMergeTrainOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MergeTrainOptions.Section);
        return services.AddOptions<MergeTrainOptions>()
            .Bind(section)
            .PostConfigure(options =>
            {
                foreach (var project in section.GetSection(nameof(options.Projects)).GetChildren())
                {
                    project.Bind(new ProjectOptions());
                }
            });
    }
}
