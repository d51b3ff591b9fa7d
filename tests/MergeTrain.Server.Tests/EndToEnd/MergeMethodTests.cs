using System.Net;
using MergeTrain.FakeGitLab;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>
/// Issue 16: trains in each of GitLab's merge methods, with and without squash, through the real
/// server, database and git against the fake GitLab: the shape of the target's history, the target
/// at exactly the tested commit, and GitLab showing the MR merged (its rewritten head published first).
/// </summary>
public class MergeMethodTests
{
    [TestCase("merge", true)]
    [TestCase("rebase_merge", false)]
    [TestCase("rebase_merge", true)]
    [TestCase("ff", false)]
    [TestCase("ff", true)]
    public async Task A_merge_request_merges_in_the_projects_merge_method(string method, bool squash)
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["lint.rules"] = "FORBIDDEN\n", ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.SetMergeSettings(TrainWorld.ProjectId, method, "default_off");
        var mr = await world.OpenMergeRequestAsync("feature", "Add feature", new Dictionary<string, string?> { ["feature.txt"] = "one\n" });
        mr = await gitLab.PushToMergeRequestAsync(TrainWorld.ProjectId, mr.Iid, new Dictionary<string, string?> { ["feature.txt"] = "one\ntwo\n" }, "Second commit");
        var originalHead = mr.Sha;

        // The target moves after the MR was cut: a rebase has work to do.
        var target = await gitLab.PushToBranchAsync(TrainWorld.ProjectId, "main", new Dictionary<string, string?> { ["hotfix.txt"] = "fix\n" }, "Hotfix");
        if (squash)
        {
            gitLab.SetSquash(TrainWorld.ProjectId, mr.Iid, true);
        }

        // The hooks of the pushes above are handled before the add: a hook of the MR's first commit
        // processed after the car was pinned on its second would drop the car as source_updated.
        await gitLab.ScanRepositoriesAsync();
        await world.WaitUntilQuietAsync();
        (await world.AddThroughApiAsync(mr.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var car = await world.WaitForCarAsync(mr.Iid, "merged");

        // The target is exactly the commit whose pipeline passed, and GitLab shows the MR merged.
        var tested = gitLab.GetPipeline(car.GetProperty("pipeline").GetProperty("id").GetInt64()).Sha;
        var head = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        head.ShouldBe(tested);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).State == MergeRequestStates.Merged);

        var repository = world.Project.RepositoryUrl;
        var brought = await GitLog.RangeAsync(repository, target, head!);
        var parents = await GitLog.ParentsAsync(repository, head!);
        switch (method)
        {
            case "merge":
                // A merge commit of the squashed MR, which sits where the MR was cut.
                parents.Count.ShouldBe(2);
                parents[0].ShouldBe(target);
                (await GitLog.ParentsAsync(repository, parents[1])).ShouldBe([await GitLog.MergeBaseAsync(repository, originalHead, target)]);
                break;
            case "rebase_merge":
                // Semi-linear: the rebased commits on the target, then a merge commit of them.
                parents.Count.ShouldBe(2);
                parents[0].ShouldBe(target);
                (await GitLog.IsAncestorAsync(repository, target, parents[1])).ShouldBeTrue();
                brought.Count(commit => commit.Parents == 1).ShouldBe(squash ? 1 : 2);
                break;
            case "ff":
                // Linear: the rebased (or squashed) commits, no merge commit.
                parents.ShouldBe([brought.Count == 1 ? target : brought[1].Sha]);
                brought.ShouldAllBe(commit => commit.Parents == 1);
                brought.Count.ShouldBe(squash ? 1 : 2);
                break;
        }

        if (squash)
        {
            brought.Single(commit => commit.Parents == 1).Subject.ShouldBe("Add feature");
        }

        // What GitLab marked merged is what the target holds: the MR's head was replaced by the rewritten one.
        var mergedHead = gitLab.GetMergeRequest(TrainWorld.ProjectId, mr.Iid).Sha;
        (await GitLog.IsAncestorAsync(repository, mergedHead, head!)).ShouldBeTrue();
        mergedHead.ShouldNotBe(originalHead);
    }

    [Test]
    public async Task In_fast_forward_a_failing_car_is_dropped_and_the_car_behind_is_rebuilt_linearly_on_the_target()
    {
        await using var world = await TrainWorld.StartAsync(new Dictionary<string, string> { ["lint.rules"] = "FORBIDDEN\n", ["app.txt"] = "hello\n" });
        var gitLab = world.GitLab;
        gitLab.SetMergeSettings(TrainWorld.ProjectId, "ff", "default_off");
        var bad = await world.OpenMergeRequestAsync("bad", "Bad change", new Dictionary<string, string?> { ["bad.txt"] = "FORBIDDEN\n" });
        var good = await world.OpenMergeRequestAsync("good", "Good change", new Dictionary<string, string?> { ["good.txt"] = "fine\n" });
        var target = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        gitLab.Ci.HoldPipelines = true;

        (await world.AddThroughApiAsync(bad.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await world.AddThroughApiAsync(good.Iid)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var badPipeline = await world.WaitForPipelineAsync(bad.Iid);
        var goodPipeline = await world.WaitForPipelineAsync(good.Iid);

        // The bad car fails first: dropped; the good car is rebuilt without it, on the target.
        gitLab.Ci.Release(badPipeline).ShouldBeTrue();
        await world.WaitForCarAsync(bad.Iid, "dropped");
        var rebuilt = await world.WaitForNewPipelineAsync(good.Iid, goodPipeline);
        gitLab.Ci.HoldPipelines = false;
        gitLab.Ci.Release(rebuilt).ShouldBeTrue();
        await world.WaitForCarAsync(good.Iid, "merged");

        var head = await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main");
        head.ShouldBe(gitLab.GetPipeline(rebuilt).Sha);
        (await GitLog.ParentsAsync(world.Project.RepositoryUrl, head!)).ShouldBe([target!]);
        await FakeGitLab.FakeGitLab.WaitUntilAsync(() => gitLab.GetMergeRequest(TrainWorld.ProjectId, good.Iid).State == MergeRequestStates.Merged);
        gitLab.GetMergeRequest(TrainWorld.ProjectId, bad.Iid).State.ShouldBe(MergeRequestStates.Opened);
        gitLab.GetMergeRequest(TrainWorld.ProjectId, bad.Iid).Sha.ShouldBe(bad.Sha, "a dropped car's commits are never published");
    }
}
