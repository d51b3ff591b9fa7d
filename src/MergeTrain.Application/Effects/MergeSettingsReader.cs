using System.Collections.Concurrent;
using MergeTrain.Application.Configuration;
using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Application.Effects;

/// <summary>
/// How a project's merge requests are merged: the configured override, else the project's
/// <c>merge_method</c> and <c>squash_option</c> in GitLab, read at most once a minute per project so
/// that a change in GitLab's settings reaches the next car built after it.
/// </summary>
public sealed class MergeSettingsReader(IGitLabApi gitLab, TimeProvider time, ILogger<MergeSettingsReader> logger)
{
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, (MergeMethod Method, SquashOption Squash, DateTimeOffset ReadAt)> _read = new();

    /// <summary>The project's merge method and squash option.</summary>
    public async Task<(MergeMethod Method, SquashOption Squash)> ReadAsync(ConfiguredProject project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project is { MergeMethod: { } method, SquashOption: { } squash })
        {
            return (method, squash);
        }

        var now = time.GetUtcNow();
        if (!_read.TryGetValue(project.Id, out var known) || now - known.ReadAt >= KeptFor)
        {
            var settings = await gitLab.GetProjectAsync(project.GitLab, project.Id, cancellationToken);
            known = (Parse(settings.MergeMethod, MergeMethod.Merge, MergeMethodNames.TryParseMergeMethod, "merge_method", project),
                     Parse(settings.SquashOption, SquashOption.DefaultOff, MergeMethodNames.TryParseSquashOption, "squash_option", project),
                     now);
            _read[project.Id] = known;
        }

        return (project.MergeMethod ?? known.Method, project.SquashOption ?? known.Squash);
    }

    private delegate bool Parser<T>(string? name, out T value);

    private T Parse<T>(string? name, T fallback, Parser<T> parse, string field, ConfiguredProject project)
    {
        if (parse(name, out var value))
        {
            return value;
        }

        // An older GitLab without the field, or a value newer than this code knows.
        logger.LogWarning("GitLab reports {Field} '{Value}' for {ProjectPath}, which MergeTrain does not know; using {Fallback}", field, name, project.Path, fallback);
        return fallback;
    }
}
