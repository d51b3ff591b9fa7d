using MergeTrain.Application.Configuration;
using MergeTrain.Application.Repositories;
using MergeTrain.Core.Trains;
using MergeTrain.Git;
using MergeTrain.GitLab.Api;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Application.Effects;

/// <summary>
/// Carries the engine's effects out against the project's repository (git) and its GitLab, and
/// answers with the events the engine expects. Repeats are made harmless: git effects are
/// idempotent by nature (same inputs, same ref; a force-push of the same commit; a
/// compare-and-swap), and a pipeline that may already have been started is looked for first.
/// </summary>
public sealed class TrainEffectExecutor(
    ProjectCatalog projects,
    ProjectRepositories repositories,
    IGitLabApi gitLab,
    MergeSettingsReader mergeSettings,
    ILogger<TrainEffectExecutor> logger) : ITrainEffectExecutor
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<TrainEvent>> ExecuteAsync(TrainState train, TrainEffect effect, EffectAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(attempt);
        var project = projects.Find(train.ProjectId)
            ?? throw new InvalidOperationException($"Project {train.ProjectId} is no longer configured.");
        var repository = repositories.For(project);
        logger.LogDebug("Train {ProjectPath}:{TargetBranch}: {EffectKey} (attempt {Attempt})", project.Path, train.TargetBranch, effect.Key, attempt.Number);

        try
        {
            return await PerformAsync(project, repository, train, effect, attempt, cancellationToken);
        }
        catch (GitLabApiException error)
        {
            // GitLab refused for good (a 4xx): retrying will not help. A car whose pipeline cannot be
            // started is dropped; a note or status that cannot be written is not worth a stuck train.
            logger.LogWarning("GitLab refused {EffectKey} for {ProjectPath}: {Reason}", effect.Key, project.Path, error.Message);
            return effect switch
            {
                StartPipeline start => [new CarEffectFailed(start.Iid, start.Generation, error.Message)],
                RetryPipeline retry => [new CarEffectFailed(retry.Iid, retry.Generation, $"retrying pipeline #{retry.PipelineId} was refused: {error.Message}")],
                ListFailedJobs list => [new FailedJobsListed(list.Iid, list.Generation, list.PipelineId, [])],
                ListBaseFailedJobs list => [new BaseJobsListed(list.Iid, list.Generation, list.BaseSha, null, [])],
                _ => [],
            };
        }
    }

    private async Task<IReadOnlyList<TrainEvent>> PerformAsync(
        ConfiguredProject project, ProjectRepository repository, TrainState train, TrainEffect effect, EffectAttempt attempt, CancellationToken cancellationToken)
    {
        switch (effect)
        {
            case BuildCar build:
                return [await BuildCarAsync(project, repository, build, cancellationToken)];
            case PublishCar publish:
                EnsurePushed(repository.PublishBranch(publish.Iid, publish.Branch), publish.Branch);
                return [new CarPublished(publish.Iid, publish.Generation, publish.CommitSha)];
            case StartPipeline start:
                var pipeline = await StartPipelineAsync(project, start.Ref, start.Sha, start.Variables, attempt, cancellationToken);
                return [new PipelineCreated(start.Iid, start.Generation, start.Attempt, pipeline.Id, pipeline.WebUrl)];
            case CancelPipeline cancel:
                await gitLab.CancelPipelineAsync(project.GitLab, project.Id, cancel.PipelineId, cancellationToken);
                return [];
            case FastForwardTarget forward:
                return [await FastForwardAsync(project, repository, forward)];
            case DeleteBranch delete:
                repository.DeleteBranches([delete.Branch]);
                return [];
            case PostNote note:
                // GitLab has no idempotency key for notes: after an attempt that may have posted it, look first.
                if (attempt.MayBeRepeat && (await gitLab.ListNotesAsync(project.GitLab, project.Id, note.Iid, cancellationToken)).Any(n => n.Body == note.Body))
                {
                    logger.LogInformation("Note {EffectKey} was already posted by an earlier attempt", note.Key);
                    return [];
                }

                await gitLab.CreateNoteAsync(project.GitLab, project.Id, note.Iid, note.Body, cancellationToken);
                return [];
            case SetCommitStatus status:
                await gitLab.SetCommitStatusAsync(
                    project.GitLab, project.Id, status.Sha,
                    new GitLabCommitStatus(status.State.ToGitLabName(), SetCommitStatus.StatusName, status.TargetUrl, status.Description),
                    cancellationToken);
                return [];
            case BuildMergedResult build:
                return [await BuildMergedResultAsync(project, repository, build, cancellationToken)];
            case StartMergedResultPipeline start:
                // Lets CI tell a merged-results pipeline from a car's (MERGE_TRAIN_IID) without parsing branch names.
                var variables = new Dictionary<string, string> { ["MERGED_RESULTS_IID"] = start.Iid.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                var merged = await StartPipelineAsync(project, start.Ref, start.Sha, variables, attempt, cancellationToken);
                return [new MergedResultPipelineCreated(start.Iid, start.Generation, merged.Id, merged.WebUrl)];
            case MergeImmediately merge:
                return [await MergeImmediatelyAsync(project, repository, merge, cancellationToken)];
            case RetryPipeline retry:
                return await RetryPipelineAsync(project, train, retry, cancellationToken);
            case ListFailedJobs list:
                return [new FailedJobsListed(list.Iid, list.Generation, list.PipelineId, await FailedJobNamesAsync(project, list.PipelineId, cancellationToken))];
            case PublishRewrittenSource publish:
                return [await PublishRewrittenSourceAsync(project, repository, publish, cancellationToken)];
            case ListBaseFailedJobs list:
                return [await ListBaseFailedJobsAsync(project, list, cancellationToken)];
            default:
                throw new NotSupportedException($"No executor for effect {effect.GetType().Name}.");
        }
    }

    /// <summary>
    /// Names the failed jobs, then has GitLab retry them. A retry the train no longer wants (the car
    /// left or was rebuilt since) is not sent: the pipeline would run again for nobody.
    /// </summary>
    private async Task<IReadOnlyList<TrainEvent>> RetryPipelineAsync(ConfiguredProject project, TrainState train, RetryPipeline retry, CancellationToken cancellationToken)
    {
        var wanted = train.Cars.Any(car => car.Iid == retry.Iid && car.Generation == retry.Generation && car.Attempt == retry.Attempt && car.Stage == CarStage.RetryingPipeline);
        if (!wanted)
        {
            logger.LogInformation("Retry of pipeline {PipelineId} is no longer wanted by the train; not sent", retry.PipelineId);
            return [];
        }

        // After a repeat whose first try went through, the failed jobs were already replaced: the
        // list is then empty, and the names are lost for this retry (the retry itself is not repeated).
        var failedJobs = await FailedJobNamesAsync(project, retry.PipelineId, cancellationToken);
        await gitLab.RetryPipelineAsync(project.GitLab, project.Id, retry.PipelineId, cancellationToken);
        logger.LogInformation("Retried pipeline {PipelineId} of !{Iid}: {Jobs}", retry.PipelineId, retry.Iid, string.Join(", ", failedJobs));
        return [new PipelineRetried(retry.Iid, retry.Generation, retry.Attempt, retry.PipelineId, failedJobs)];
    }

    /// <summary>
    /// The failed jobs of the latest finished pipeline on the commit ahead of a car, whichever ref it
    /// ran on (the car ahead's branch, or the target after a push). A pipeline still running says
    /// nothing yet, so it is passed over; a commit with no finished pipeline answers "nothing known".
    /// </summary>
    private async Task<TrainEvent> ListBaseFailedJobsAsync(ConfiguredProject project, ListBaseFailedJobs list, CancellationToken cancellationToken)
    {
        var pipelines = await gitLab.ListCommitPipelinesAsync(project.GitLab, project.Id, list.BaseSha, cancellationToken);
        var latest = pipelines.Where(p => p.Sha == list.BaseSha && GitLabNames.TryParsePipelineStatus(p.Status, out var pipelineStatus) && pipelineStatus.IsFinished()).MaxBy(p => p.Id);
        if (latest is null)
        {
            logger.LogInformation("Base {BaseSha} of !{Iid} has no finished pipeline; nothing is known about it", list.BaseSha, list.Iid);
            return new BaseJobsListed(list.Iid, list.Generation, list.BaseSha, null, []);
        }

        var failedJobs = await FailedJobNamesAsync(project, latest.Id, cancellationToken);
        logger.LogInformation("Base {BaseSha} of !{Iid}: pipeline {PipelineId} {Status}, failed jobs: {Jobs}", list.BaseSha, list.Iid, latest.Id, latest.Status, string.Join(", ", failedJobs));
        return new BaseJobsListed(list.Iid, list.Generation, list.BaseSha, latest.Id, failedJobs);
    }

    private async Task<IReadOnlyList<string>> FailedJobNamesAsync(ConfiguredProject project, long pipelineId, CancellationToken cancellationToken)
    {
        // GitLab's retry starts new jobs for the failed and the cancelled ones.
        var jobs = await gitLab.ListPipelineJobsAsync(project.GitLab, project.Id, pipelineId, ["failed", "canceled"], cancellationToken);
        return jobs.Select(job => job.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Builds the car in the project's merge method (semi-linear and fast-forward rebase the MR's
    /// commits onto the base; squash folds them first, as GitLab decides it from the project's option
    /// and the MR's own wish). An MR from a fork whose commits would be rewritten is refused: the
    /// rewritten commits would have to be pushed to the fork (ADR 9).
    /// </summary>
    private async Task<TrainEvent> BuildCarAsync(ConfiguredProject project, ProjectRepository repository, BuildCar build, CancellationToken cancellationToken)
    {
        var (method, squashOption) = await mergeSettings.ReadAsync(project, cancellationToken);
        GitLabMergeRequest? mergeRequest = null;
        if (build.Squash is null && squashOption is SquashOption.DefaultOff or SquashOption.DefaultOn || method.Rebases())
        {
            mergeRequest = await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, build.Iid, cancellationToken);
        }

        var squash = squashOption.Squashes(build.Squash ?? mergeRequest?.Squash ?? false);
        if ((squash || method.Rebases()) && mergeRequest?.SourceProjectId is { } source && source != project.Id)
        {
            return new CarEffectFailed(
                build.Iid,
                build.Generation,
                $"the merge request comes from a fork, and merging it with {(squash ? "squash" : method.ToGitLabName())} would rewrite its commits, which MergeTrain cannot push to the fork's branch");
        }

        var recipe = new CarRecipe(
            build.BaseSha,
            build.UpstreamSha ?? build.BaseSha,
            build.HeadSha,
            method.Rebases(),
            method.WritesMergeCommit(),
            build.Message,
            squash ? build.SquashMessage ?? build.Message : null);
        var outcome = await BuildAsync(project, repository, build.Iid, recipe, cancellationToken);
        return outcome switch
        {
            MergeOutcome.Merged merged => new CarBuilt(build.Iid, build.Generation, build.BaseSha, merged.CommitSha) { RewrittenHeadSha = merged.RewrittenHeadSha },
            MergeOutcome.Conflicted conflicted => new CarConflicted(build.Iid, build.Generation, build.BaseSha, conflicted.Paths.Take(TrainNotes.MaxConflictPathsShown).ToList()) { TotalPaths = conflicted.Paths.Count },
            _ => throw new InvalidOperationException($"Unknown merge outcome {outcome}."),
        };
    }

    private async Task<TrainEvent> BuildMergedResultAsync(ConfiguredProject project, ProjectRepository repository, BuildMergedResult build, CancellationToken cancellationToken)
    {
        var outcome = await MergeAsync(project, repository, build.Iid, build.BaseSha, build.HeadSha, build.Message, cancellationToken);
        if (outcome is MergeOutcome.Conflicted conflicted)
        {
            return new MergedResultConflicted(build.Iid, build.Generation, conflicted.Paths.Take(TrainNotes.MaxConflictPathsShown).ToList()) { TotalPaths = conflicted.Paths.Count };
        }

        var commit = ((MergeOutcome.Merged)outcome).CommitSha;
        EnsurePushed(repository.PublishBranch(build.Iid, build.Branch), build.Branch);
        return new MergedResultBuilt(build.Iid, build.Generation, commit);
    }

    private async Task<TrainEvent> MergeImmediatelyAsync(ConfiguredProject project, ProjectRepository repository, MergeImmediately merge, CancellationToken cancellationToken)
    {
        var outcome = await MergeAsync(project, repository, merge.Iid, merge.BaseSha, merge.HeadSha, merge.Message, cancellationToken);
        if (outcome is MergeOutcome.Conflicted conflicted)
        {
            return new MergeImmediatelyFailed(merge.Iid, merge.Generation, null, conflicted.Paths.Take(TrainNotes.MaxConflictPathsShown).ToList(), "the merge request conflicts with the target branch") { TotalConflictPaths = conflicted.Paths.Count };
        }

        var commit = ((MergeOutcome.Merged)outcome).CommitSha;
        var update = repository.FastForwardTarget(merge.TargetBranch, commit);
        return update.Updated || repository.ResolveBranch(merge.TargetBranch) == commit
            ? new MergedImmediately(merge.Iid, merge.Generation, commit)
            : new MergeImmediatelyFailed(merge.Iid, merge.Generation, await CurrentTargetAsync(project, repository, merge.TargetBranch), [], update.Reason ?? "the target branch moved");
    }

    private async Task<TrainEvent> FastForwardAsync(ConfiguredProject project, ProjectRepository repository, FastForwardTarget forward)
    {
        var update = repository.FastForwardTarget(forward.TargetBranch, forward.ToSha);
        if (update.Updated)
        {
            return new FastForwardSucceeded(forward.Iid, forward.FromSha, forward.ToSha);
        }

        // A repeat of a push that went through finds the target already there.
        var current = await CurrentTargetAsync(project, repository, forward.TargetBranch);
        return current == forward.ToSha
            ? new FastForwardSucceeded(forward.Iid, forward.FromSha, forward.ToSha)
            : new FastForwardRejected(forward.Iid, forward.ToSha, current);
    }

    private async Task<GitLabPipeline> StartPipelineAsync(
        ConfiguredProject project, string branch, string sha, IReadOnlyDictionary<string, string> variables, EffectAttempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.MayBeRepeat)
        {
            // GitLab has no idempotency key for pipeline creation: look for the one we may have made.
            var existing = await gitLab.ListPipelinesAsync(project.GitLab, project.Id, branch, sha, cancellationToken);
            if (existing.Count > 0)
            {
                logger.LogInformation("Pipeline {PipelineId} for {Branch}@{Sha} already exists; not starting another", existing[0].Id, branch, sha);
                return existing[0];
            }
        }

        return await gitLab.CreatePipelineAsync(project.GitLab, project.Id, branch, variables, cancellationToken);
    }

    private Task<MergeOutcome> MergeAsync(ConfiguredProject project, ProjectRepository repository, int iid, string baseSha, string headSha, string message, CancellationToken cancellationToken) =>
        BuildAsync(project, repository, iid, new CarRecipe(baseSha, baseSha, headSha, Rebase: false, MergeCommit: true, message), cancellationToken);

    private async Task<MergeOutcome> BuildAsync(ConfiguredProject project, ProjectRepository repository, int iid, CarRecipe recipe, CancellationToken cancellationToken)
    {
        // The MR head must be in our copy (GitLab writes refs/merge-requests/<iid>/head): fetch when
        // it is not the pinned one yet and not a rewritten head we built. The base is the target head
        // or a car commit we built.
        if (repository.ResolveReference(GitRefs.MergeRequestHead(iid)) != recipe.HeadSha && !repository.HasCommit(recipe.HeadSha))
        {
            await repositories.FetchAsync(project).WaitAsync(cancellationToken);
        }

        return await Task.Run(() => repository.BuildMergeRef(iid, recipe), cancellationToken);
    }

    /// <summary>
    /// Publishes the car's rewritten commits on the MR's source branch, then waits until GitLab has
    /// taken the push in (the MR's <c>sha</c> is the rewritten head): GitLab works through pushes in the
    /// background, and a target push it took in first would not show the MR merged.
    /// </summary>
    private async Task<TrainEvent> PublishRewrittenSourceAsync(ConfiguredProject project, ProjectRepository repository, PublishRewrittenSource publish, CancellationToken cancellationToken)
    {
        var publication = await Task.Run(() => repository.PublishRewrittenSource(publish.SourceBranch, publish.ExpectedSha, publish.RewrittenSha), cancellationToken);
        if (!publication.Published)
        {
            logger.LogInformation("'{Branch}' of !{Iid} moved to {Current}: the rewritten commits are not published", publish.SourceBranch, publish.Iid, publication.CurrentSha);
            return new SourcePublicationRefused(publish.Iid, publish.Generation, publication.CurrentSha);
        }

        for (var attempt = 0; ; attempt++)
        {
            var mergeRequest = await gitLab.GetMergeRequestAsync(project.GitLab, project.Id, publish.Iid, cancellationToken);
            if (mergeRequest.Sha == publish.RewrittenSha)
            {
                return new SourcePublished(publish.Iid, publish.Generation, publish.RewrittenSha);
            }

            if (mergeRequest.Sha != publish.ExpectedSha || attempt >= 60)
            {
                // Another push won, or GitLab is this slow: the effect is tried again later.
                throw new GitRemoteException($"GitLab shows !{publish.Iid} at {mergeRequest.Sha}, not at the published {publish.RewrittenSha}, yet.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private async Task<string?> CurrentTargetAsync(ConfiguredProject project, ProjectRepository repository, string targetBranch)
    {
        await repositories.FetchAsync(project);
        return repository.ResolveBranch(targetBranch);
    }

    private static void EnsurePushed(PushResult result, string branch)
    {
        if (!result.Succeeded)
        {
            throw new GitRemoteException($"Pushing {branch} was refused: {string.Join("; ", result.Rejected.Select(r => r.Reason))}");
        }
    }
}
