using System.Text.Json.Serialization;

namespace MergeTrain.Core.Trains;

/// <summary>Where an active car is in its build-publish-pipeline cycle; finer than <see cref="CarStatus"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CarStage>))]
public enum CarStage
{
    /// <summary>Nothing requested: beyond <c>MaxParallelPipelines</c>, or waiting for the car ahead.</summary>
    Waiting,

    /// <summary>A build of the car commit was requested.</summary>
    Building,

    /// <summary>The car commit exists; its publication as a branch was requested.</summary>
    Publishing,

    /// <summary>Published; the pipeline waits for the train to be resumed or for a retry.</summary>
    ReadyForPipeline,

    /// <summary>A pipeline was requested; its id is not known yet.</summary>
    StartingPipeline,

    /// <summary>The pipeline runs.</summary>
    PipelineRunning,

    /// <summary>The pipeline succeeded; the car merges when it is first.</summary>
    PipelinePassed,

    /// <summary>An operator's merge-immediately was requested and is being carried out.</summary>
    MergingImmediately,

    /// <summary>The pipeline failed; a retry of its failed jobs was requested, the car keeps its place and commit.</summary>
    RetryingPipeline,

    /// <summary>The pipeline failed again with no retries left; its failed jobs are being named before the car is dropped.</summary>
    ListingFailedJobs,

    /// <summary>The pipeline failed again; the failed jobs of the commit ahead are being listed to tell whether the base is broken (<c>DiagnoseBrokenBase</c>).</summary>
    CheckingBase,

    /// <summary>The pipeline failed for good, and a later green may absolve it: the car keeps its place while the cars behind it report (<c>PendingFailureDepth</c>).</summary>
    FailurePending,

    /// <summary>
    /// Built and published, with no pipeline of its own: it is in a batch (<c>BatchSize</c>), and the
    /// pipeline of the last car of the batch, whose commit contains it, tests it.
    /// </summary>
    Batched,
}
