using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using Microsoft.Extensions.Options;

namespace MergeTrain.Application.Configuration;

/// <summary>The configured projects, checked once at start-up, found by id or by path.</summary>
public sealed class ProjectCatalog
{
    private readonly Dictionary<long, ConfiguredProject> _byId = [];
    private readonly Dictionary<string, ConfiguredProject> _byPath = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads and validates <see cref="MergeTrainOptions.Projects"/>.</summary>
    /// <exception cref="InvalidOperationException">A project is configured wrongly; the message says which key.</exception>
    public ProjectCatalog(IOptions<MergeTrainOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var i = 0; i < options.Value.Projects.Count; i++)
        {
            var project = Validate(options.Value.Projects[i], $"MergeTrain:Projects:{i}");
            if (!_byId.TryAdd(project.Id, project) || !_byPath.TryAdd(project.Path, project))
            {
                throw new InvalidOperationException($"MergeTrain:Projects:{i}: project {project.Id} ({project.Path}) is configured twice.");
            }
        }
    }

    /// <summary>Every configured project.</summary>
    public IReadOnlyCollection<ConfiguredProject> All => _byId.Values;

    /// <summary>The project with GitLab id <paramref name="id"/>, or null.</summary>
    public ConfiguredProject? Find(long id) => _byId.GetValueOrDefault(id);

    /// <summary>The project named by a GitLab <c>:id</c> (numeric id or URL-decoded path), or null.</summary>
    public ConfiguredProject? Find(string idOrPath) =>
        long.TryParse(idOrPath, out var id) ? Find(id) : _byPath.GetValueOrDefault(Uri.UnescapeDataString(idOrPath));

    private static ConfiguredProject Validate(ProjectOptions options, string key)
    {
        if (options.Id <= 0)
        {
            throw new InvalidOperationException($"{key}:Id must be GitLab's numeric project id.");
        }

        foreach (var (name, value) in new[]
                 {
                     ("Path", options.Path), ("GitLabUrl", options.GitLabUrl), ("GitLabToken", options.GitLabToken),
                     ("WebhookSecret", options.WebhookSecret), ("RepositoryUrl", options.RepositoryUrl),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"{key}:{name} is required.");
            }
        }

        if (!Uri.TryCreate(options.GitLabUrl, UriKind.Absolute, out var gitLabUrl))
        {
            throw new InvalidOperationException($"{key}:GitLabUrl must be an absolute URL.");
        }

        MergeMethod? mergeMethod = null;
        if (!string.IsNullOrWhiteSpace(options.MergeMethod))
        {
            mergeMethod = MergeMethodNames.TryParseMergeMethod(options.MergeMethod.Trim(), out var method)
                ? method
                : throw new InvalidOperationException($"{key}:MergeMethod must be one of {string.Join(", ", MergeMethodNames.AllMethods)} (or empty: GitLab's).");
        }

        SquashOption? squashOption = null;
        if (!string.IsNullOrWhiteSpace(options.SquashOption))
        {
            squashOption = MergeMethodNames.TryParseSquashOption(options.SquashOption.Trim(), out var option)
                ? option
                : throw new InvalidOperationException($"{key}:SquashOption must be one of {string.Join(", ", MergeMethodNames.AllSquashOptions)} (or empty: GitLab's).");
        }

        TrainSettings settings;
        try
        {
            settings = new TrainSettings
            {
                MaxParallelPipelines = options.MaxParallelPipelines,
                AdaptiveWindow = options.AdaptiveWindow,
                WindowFollowsRunners = options.WindowFollowsRunners,
                MinParallelPipelines = options.MinParallelPipelines,
                WastedMinutesPerHour = options.WastedMinutesPerHour,
                BatchSize = options.BatchSize,
                MinBatchSize = options.MinBatchSize,
                FailedPipelineRetries = options.FailedPipelineRetries,
                PendingFailureDepth = options.PendingFailureDepth,
                DiagnoseBrokenBase = options.DiagnoseBrokenBase,
                SkipTrainAllowed = options.SkipTrainAllowed,
                PipelineTimeout = options.PipelineTimeout,
                MergedResultsPipelines = options.MergedResultsPipelines,
                TrainLabel = options.TrainLabel,
                PriorityLabel = options.PriorityLabel,
                CarBranchPrefix = options.CarBranchPrefix,
            }.Validate();
        }
        catch (ArgumentException error)
        {
            // The settings name the wrong one by its option name, so the message can give the whole key.
            var wrongKey = string.IsNullOrEmpty(error.ParamName) ? key : $"{key}:{error.ParamName}";
            throw new InvalidOperationException($"{wrongKey}: {error.Message}", error);
        }

        return new ConfiguredProject(
            options.Id, options.Path.Trim('/'), new GitLabConnection(gitLabUrl, options.GitLabToken), options.WebhookSecret, options.RepositoryUrl, settings)
        {
            MergeMethod = mergeMethod,
            SquashOption = squashOption,
        };
    }
}

/// <summary>A validated project: where its GitLab and repository are, and its train settings.</summary>
public sealed record ConfiguredProject(long Id, string Path, GitLabConnection GitLab, string WebhookSecret, string RepositoryUrl, TrainSettings Settings)
{
    /// <summary>The configured merge method; null follows the project's setting in GitLab.</summary>
    public MergeMethod? MergeMethod { get; init; }

    /// <summary>The configured squash option; null follows the project's setting in GitLab.</summary>
    public SquashOption? SquashOption { get; init; }

    /// <summary>Keeps the secrets out of logs.</summary>
    public override string ToString() => $"ConfiguredProject {{ Id = {Id}, Path = {Path} }}";
}
