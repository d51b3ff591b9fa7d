using MergeTrain.Core.Trains;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Core.Tests.Trains;

/// <summary>SPEC section 5: the branches published for CI, written and read back in one place.</summary>
public class PublishedBranchesTests
{
    [TestCase("merge-train/", "main", 7, "merge-train/main/7")]
    [TestCase("merge-train/", "release/2026/12", 12, "merge-train/release/2026/12/12")]
    [TestCase("mt-", "main", 2147483647, "mt-main/2147483647")]
    [TestCase("ci/trains/", "0", 10, "ci/trains/0/10")]
    public void A_car_branch_reads_back_as_the_target_and_iid_it_was_written_from(string prefix, string target, int iid, string branch)
    {
        PublishedBranches.CarBranch(prefix, target, iid).ShouldBe(branch);

        PublishedBranches.TryParseCarBranch(prefix, branch, out var parsedTarget, out var parsedIid).ShouldBeTrue();

        (parsedTarget, parsedIid).ShouldBe((target, iid));
    }

    [TestCase("merge-train/main/7", "the branch of another prefix")]
    [TestCase("mt-main", "no iid")]
    [TestCase("mt-/7", "no target")]
    [TestCase("mt-main/", "an empty iid")]
    [TestCase("mt-main/007", "an iid CarBranch never writes")]
    [TestCase("mt-main/+7", "a sign")]
    [TestCase("mt-main/7a", "not a number")]
    [TestCase("mt-main/99999999999", "more than an iid holds")]
    [TestCase("main", "an ordinary branch")]
    public void Any_other_branch_is_not_read_as_a_car_branch(string branch, string why)
    {
        PublishedBranches.TryParseCarBranch("mt-", branch, out _, out _).ShouldBeFalse(why);
    }

    [Test]
    public void No_branch_is_not_a_car_branch_nor_a_merged_results_branch()
    {
        PublishedBranches.TryParseCarBranch("mt-", null, out _, out _).ShouldBeFalse();
        PublishedBranches.TryParseMergedResultsBranch(null, out _).ShouldBeFalse();
    }

    [TestCase(1, "merged-results/1")]
    [TestCase(4096, "merged-results/4096")]
    public void A_merged_results_branch_reads_back_as_its_iid(int iid, string branch)
    {
        PublishedBranches.MergedResultsBranch(iid).ShouldBe(branch);

        PublishedBranches.TryParseMergedResultsBranch(branch, out var parsed).ShouldBeTrue();

        parsed.ShouldBe(iid);
    }

    [TestCase("merged-results/")]
    [TestCase("merged-results/01")]
    [TestCase("merged-results/1/2")]
    [TestCase("merge-train/main/1")]
    [TestCase("merged-results-1")]
    public void Any_other_branch_is_not_read_as_a_merged_results_branch(string branch)
    {
        PublishedBranches.TryParseMergedResultsBranch(branch, out _).ShouldBeFalse();
    }

    [Test]
    public void The_engine_publishes_the_branches_the_webhook_side_reads_back()
    {
        var settings = new TrainSettings { CarBranchPrefix = "trains/" };

        settings.TryParseCarBranch(settings.CarBranch("feature/x", 31), out var target, out var iid).ShouldBeTrue();

        (target, iid).ShouldBe(("feature/x", 31));
        new TrainSettings().CarBranch("main", 1).ShouldBe("merge-train/main/1", "the default prefix, GitLab's own layout of branch names");
        PublishedBranches.MergeRef(5).ShouldBe("refs/merge-requests/5/merge");
    }
}
