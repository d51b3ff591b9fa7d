namespace MergeTrain.Application.Pipelines;

/// <summary>The <c>MergeTrain:PipelinePolling</c> section: how the fallback for lost pipeline hooks runs.</summary>
public sealed class PipelinePollingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MergeTrain:PipelinePolling";

    /// <summary>A pipeline with no news for this long is asked about.</summary>
    public TimeSpan QuietFor { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the poller runs.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromSeconds(30);
}
