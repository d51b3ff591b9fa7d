using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 12, the "base is broken" diagnosis (<c>DiagnoseBrokenBase</c>), through the real server and
/// the fake GitLab: a car that fails again on the very jobs that fail on the target's own pipeline is
/// not blamed; the train pauses, and merges the MR once the target is fixed and an operator resumes.
/// </summary>
public class BrokenBaseTests
{
    [Test]
    public async Task A_car_failing_on_the_jobs_that_fail_on_the_target_head_is_kept_and_the_train_pauses_until_the_base_is_fixed()
    {
        await using var world = await TrainWorld.StartAsync(
            new Dictionary<string, string> { ["lint.rules"] = "# one forbidden word per line\nBROKEN\n", ["app.txt"] = "hello\n" },
            20,
            "--MergeTrain:Projects:0:FailedPipelineRetries=1",
            "--MergeTrain:Projects:0:DiagnoseBrokenBase=true");
        var gitLab = world.GitLab;
        gitLab.Ci.JobNames = ["lint", "unit-tests"];
        gitLab.Ci.PushPipelineBranches = new HashSet<string> { "main" };
        var mr = await world.OpenMergeRequestAsync("feature", "Feature", new Dictionary<string, string?> { ["feature.txt"] = "clean\n" });

        // Someone pushes a lint violation to main outside the train: main's own pipeline fails on lint.
        var broken = await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "main", new Dictionary<string, string?> { ["app.txt"] = "BROKEN\n" }, "Break main");
        var mainPipeline = await FinishedPushPipelineAsync(gitLab, broken);
        mainPipeline.Status.ShouldBe(PipelineStatuses.Failed);

        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);

        // The car inherits the violation, fails, is retried, fails again on lint alone: the base is to blame.
        await TrainWorld.WaitUntilAsync(TrainIsPausedAsync(world), "the train to pause", TimeSpan.FromSeconds(45));
        var carPipeline = world.CarPipelines.ShouldHaveSingleItem();
        carPipeline.Status.ShouldBe(PipelineStatuses.Failed);
        carPipeline.Jobs.Where(job => job.Retried).Select(job => job.Name).ShouldBe(["lint"], "the failed job was retried once");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, carPipeline.Sha)).ShouldBe([broken, mr.Sha]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Any(n => n.Body.Contains(
                $"pipeline #{carPipeline.Id} failed, but the same jobs (lint) also fail on the commit ahead of it ({broken[..8]}, pipeline #{mainPipeline.Id}): the base is broken",
                StringComparison.Ordinal)),
            because: $"the note saying the base is broken; notes: {Notes(gitLab, mr.Iid)}");
        await world.WaitUntilQuietAsync();
        (await world.CarAsync(mr.Iid))!.Value.GetProperty("status").GetString().ShouldNotBe("dropped", "the car is not blamed");
        gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State.ShouldBe(MergeRequestStates.Opened);
        world.CarPipelines.ShouldHaveSingleItem("nothing runs while the train is paused");

        // The base is fixed outside the train, and an operator resumes it: the MR merges on the fix.
        var fixedHead = await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "main", new Dictionary<string, string?> { ["app.txt"] = "hello again\n" }, "Fix main");
        (await FinishedPushPipelineAsync(gitLab, fixedHead)).Status.ShouldBe(PipelineStatuses.Success);
        using (var admin = world.ClientWith(TrainWorld.AdminToken))
        using (var resume = await admin.PostAsync(new Uri($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/main/resume", UriKind.Relative), null))
        {
            resume.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var merged = await world.WaitForCarAsync(mr.Iid, "merged", TimeSpan.FromSeconds(60));
        var mergedPipeline = gitLab.GetPipeline(merged.GetProperty("pipeline").GetProperty("id").GetInt64());
        mergedPipeline.Id.ShouldNotBe(carPipeline.Id, "the car got a new pipeline on resume");
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, mergedPipeline.Sha)).ShouldBe([fixedHead, mr.Sha]);
        (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main")).ShouldBe(mergedPipeline.Sha);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(
            () => gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State == MergeRequestStates.Merged, because: "GitLab to show the MR merged");
    }

    private static Func<Task<bool>> TrainIsPausedAsync(TrainWorld world) => async () =>
        await world.QueryAsync<long>("SELECT count(*) FROM trains WHERE target_branch = 'main' AND (state::jsonb ->> 'Paused')::boolean") == 1;

    private static Task<FakePipeline> FinishedPushPipelineAsync(FakeGitLab.FakeGitLab gitLab, string sha) => FakeGitLab.FakeGitLab.WaitUntilAsync(
        () => gitLab.Pipelines.SingleOrDefault(p => p.Ref == "main" && p.Sha == sha && p.Source == "push") is { IsFinished: true } pipeline ? pipeline : null,
        TimeSpan.FromSeconds(15),
        $"main's push pipeline on {sha}");

    private static string Notes(FakeGitLab.FakeGitLab gitLab, long iid) =>
        string.Join(" | ", gitLab.NotesOn(TrainWorld.ProjectId, iid).Select(n => n.Body));
}
