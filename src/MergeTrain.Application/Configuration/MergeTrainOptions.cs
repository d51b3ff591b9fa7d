using MergeTrain.Core.Trains;

namespace MergeTrain.Application.Configuration;

/// <summary>The <c>MergeTrain</c> configuration section (SPEC section 7; the key names are a contract).</summary>
public sealed class MergeTrainOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string Section = "MergeTrain";

    /// <summary>PostgreSQL connection string; empty starts an embedded server under <see cref="DataDirectory"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Repositories and the embedded database live here; relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = ".mergetrain";

    /// <summary>Who may call the API and the dashboard (<c>MergeTrain:ApiTokens:N:*</c>).</summary>
    public List<ApiTokenOptions> ApiTokens { get; } = [];

    /// <summary>The GitLab projects served (<c>MergeTrain:Projects:N:*</c>).</summary>
    public List<ProjectOptions> Projects { get; } = [];

    /// <summary>The data directory as an absolute path.</summary>
    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    /// <summary>True when the service must run its own PostgreSQL.</summary>
    public bool UsesEmbeddedDatabase => string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>An API token (<c>MergeTrain:ApiTokens:N:Name</c>, <c>:Token</c>, <c>:Role</c>).</summary>
public sealed class ApiTokenOptions
{
    /// <summary>Who holds it; shown as the actor of what it does.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret itself.</summary>
    public string Token { get; set; } = "";

    /// <summary><c>admin</c> (operator actions) or <c>developer</c>.</summary>
    public string Role { get; set; } = ApiRoles.Developer;
}

/// <summary>The two roles of API tokens.</summary>
public static class ApiRoles
{
    /// <summary>May view, add and remove merge requests.</summary>
    public const string Developer = "developer";

    /// <summary>May also pause, resume and merge immediately.</summary>
    public const string Admin = "admin";
}

/// <summary>One GitLab project (<c>MergeTrain:Projects:N:*</c>).</summary>
public sealed class ProjectOptions
{
    /// <summary>GitLab's numeric project id.</summary>
    public long Id { get; set; }

    /// <summary>The project's path, <c>group/project</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>The GitLab instance, e.g. <c>https://gitlab.example.com</c>.</summary>
    public string GitLabUrl { get; set; } = "";

    /// <summary>The bot's token for the API (and for http(s) git remotes).</summary>
    public string GitLabToken { get; set; } = "";

    /// <summary>What GitLab sends as <c>X-Gitlab-Token</c>.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Where to fetch from and push to: a path, <c>git://</c> or <c>http(s)://</c>.</summary>
    public string RepositoryUrl { get; set; } = "";

    /// <summary>The label that adds an MR to the train.</summary>
    public string TrainLabel { get; set; } = "merge-train";

    /// <summary>The label that adds an MR to the train with high priority, or raises its car's priority (a MergeTrain extension).</summary>
    public string PriorityLabel { get; set; } = "merge-train::high";

    /// <summary>How many cars run pipelines at once (1 = serial).</summary>
    public int MaxParallelPipelines { get; set; } = 20;

    /// <summary>Whether the number of cars with pipelines adapts (grows with merges, halves with failures) between <see cref="MinParallelPipelines"/> and <see cref="MaxParallelPipelines"/>.</summary>
    public bool AdaptiveWindow { get; set; }

    /// <summary>
    /// Whether no more cars run pipelines than the runners run while GitLab reports jobs of the project
    /// waiting for a runner (asked every pipeline-polling round); queued pipelines beyond are cancelled.
    /// </summary>
    public bool WindowFollowsRunners { get; set; }

    /// <summary>The adaptive window's floor.</summary>
    public int MinParallelPipelines { get; set; } = 1;

    /// <summary>Pipeline minutes per hour that speculation may waste; 0 is no budget.</summary>
    public int WastedMinutesPerHour { get; set; }

    /// <summary>Up to how many MRs share one pipeline (a batch, bisected when it fails); 1 tests each MR alone.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>The smallest batch; batches grow with the queue up to <see cref="BatchSize"/>.</summary>
    public int MinBatchSize { get; set; } = 1;

    /// <summary>Car branches are <c>&lt;prefix&gt;&lt;target&gt;/&lt;iid&gt;</c>.</summary>
    public string CarBranchPrefix { get; set; } = PublishedBranches.DefaultCarBranchPrefix;

    /// <summary>Overrides GitLab's project <c>merge_method</c> (<c>merge</c>, <c>rebase_merge</c>, <c>ff</c>); empty reads it from GitLab.</summary>
    public string MergeMethod { get; set; } = "";

    /// <summary>Overrides GitLab's project <c>squash_option</c> (<c>never</c>, <c>default_off</c>, <c>default_on</c>, <c>always</c>); empty reads it from GitLab.</summary>
    public string SquashOption { get; set; } = "";

    /// <summary>Whether MRs not on a train get merged results pipelines.</summary>
    public bool MergedResultsPipelines { get; set; } = true;

    /// <summary>A car pipeline running longer is cancelled and counts as failed.</summary>
    public TimeSpan PipelineTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often a failed car pipeline is retried before the car is dropped.</summary>
    public int FailedPipelineRetries { get; set; }

    /// <summary>
    /// How many cars behind a car whose pipeline failed for good may report before it is dropped; a
    /// later green among them absolves it (a MergeTrain extension; 0 drops it at once, as GitLab does).
    /// </summary>
    public int PendingFailureDepth { get; set; }

    /// <summary>
    /// Whether a car whose pipeline failed for good is compared with the latest finished pipeline of
    /// the commit ahead of it: the same jobs failing there mean the base is broken, and the train pauses.
    /// </summary>
    public bool DiagnoseBrokenBase { get; set; }

    /// <summary>
    /// Whether an operator may merge an MR immediately without restarting the train (GitLab's
    /// "allow skipping the merge train"; off by default, as in GitLab).
    /// </summary>
    public bool SkipTrainAllowed { get; set; }
}
