using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

/// <summary>The service's view of a project repository, against real remotes: a path, git daemon, and smart HTTP with a token.</summary>
[TestFixture("path")]
[TestFixture("git-daemon")]
[TestFixture("http")]
public class ProjectRepositoryTests(string transport)
{
    private const string Token = "test-token-not-a-secret";
    private static readonly string[] RootFiles = ["README", "shared.txt"];

    private TempDirectory _temp = null!;
    private ServedRemote _remote = null!;
    private string _remotePath = null!;
    private string _remoteUrl = null!;
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _remote = ServedRemote.Start(_temp, transport, BareRepositoryTests.Files(("README", "hello\n"), ("shared.txt", "1\n2\n3\n4\n5\n6\n7\n8\n")), Token);
        (_remotePath, _remoteUrl, _root) = (_remote.Path, _remote.Url, _remote.Root);
    }

    [TearDown]
    public void TearDown()
    {
        _remote.Dispose();
        _temp.Dispose();
    }

    [Test]
    public void First_fetch_clones_and_later_fetches_bring_branches_and_merge_request_heads()
    {
        using var project = Open();

        project.Fetch();
        project.Path.ShouldBe(Path.Combine(_temp.Path, "repositories", "42.git"));
        project.ResolveBranch("main").ShouldBe(_root);

        var mr = MergeRequest(1, ("feature.txt", "f\n"));
        var moved = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("lint.rules", "no-tabs\n")));
        GitCli.Run(_remotePath, "update-ref", "refs/heads/main", moved);
        project.Fetch();

        project.ResolveBranch("main").ShouldBe(moved);
        project.ResolveReference(GitRefs.MergeRequestHead(1)).ShouldBe(mr);
    }

    [Test]
    public async Task A_fetch_waits_while_another_process_holds_the_repository()
    {
        using var project = Open();
        project.Fetch();

        // Another instance sharing the data directory, in the middle of a push: flock(1) holds the
        // repository's lock for as long as cat waits on its input.
        var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", ["-x", project.Path + ".lock", "cat"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            await WaitUntilLockedAsync(project.Path + ".lock");
            var fetch = Task.Run(project.Fetch);

            (await Task.WhenAny(fetch, Task.Delay(TimeSpan.FromMilliseconds(500)))).ShouldNotBe(fetch, "the fetch waits for the other process");
            holder.StandardInput.Close();
            await fetch.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }

            holder.Dispose();
        }
    }

    [Test]
    public void A_car_is_built_on_its_base_published_replaced_and_deleted()
    {
        using var project = Open();
        var mr1 = MergeRequest(1, ("one.txt", "1\n"));
        var mr2 = MergeRequest(2, ("two.txt", "2\n"));
        project.Fetch();

        var car1 = project.BuildMergeRef(1, _root, mr1, "Merge branch 'one' into 'main'\n\nOne\n\nSee merge request g/p!1").ShouldBeOfType<MergeOutcome.Merged>();
        var car2 = project.BuildMergeRef(2, car1.CommitSha, mr2, "car 2").ShouldBeOfType<MergeOutcome.Merged>();
        GitCli.Run(project.Path, "rev-list", "--parents", "-n1", car2.CommitSha).ShouldBe($"{car2.CommitSha} {car1.CommitSha} {mr2}");
        project.ResolveReference("refs/merge-requests/2/merge").ShouldBe(car2.CommitSha);

        const string branch = "merge-train/main/2";
        project.PublishBranch(2, branch).Succeeded.ShouldBeTrue();
        project.PublishBranch(1, "merged-results/1").Succeeded.ShouldBeTrue();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merge-train/main/2").ShouldBe(car2.CommitSha);
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merged-results/1").ShouldBe(car1.CommitSha);

        // Car 1 dropped: car 2 is rebuilt on the target; its branch is force-updated sideways.
        var rebuilt = project.BuildMergeRef(2, _root, mr2, "car 2 again").ShouldBeOfType<MergeOutcome.Merged>();
        project.PublishBranch(2, branch).Succeeded.ShouldBeTrue();
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/merge-train/main/2").ShouldBe(rebuilt.CommitSha);

        project.DeleteBranches([branch, "merged-results/1"]).Succeeded.ShouldBeTrue();
        GitCli.TryRun(_remotePath, "rev-parse", "--verify", "refs/heads/merge-train/main/2").ExitCode.ShouldNotBe(0);
        GitCli.TryRun(_remotePath, "rev-parse", "--verify", "refs/heads/merged-results/1").ExitCode.ShouldNotBe(0);
    }

    [Test]
    public void A_conflicting_car_reports_its_paths_and_leaves_no_merge_ref()
    {
        using var project = Open();
        var mr1 = MergeRequest(1, ("shared.txt", "ONE\n"));
        var mr2 = MergeRequest(2, ("shared.txt", "TWO\n"));
        project.Fetch();
        var car1 = project.BuildMergeRef(1, _root, mr1, "car 1").ShouldBeOfType<MergeOutcome.Merged>();
        project.BuildMergeRef(2, _root, mr2, "stale car 2").ShouldBeOfType<MergeOutcome.Merged>();

        project.BuildMergeRef(2, car1.CommitSha, mr2, "car 2").ShouldBeOfType<MergeOutcome.Conflicted>().Paths.ShouldBe(["shared.txt"]);

        project.ResolveReference("refs/merge-requests/2/merge").ShouldBeNull();
    }

    [Test]
    public void The_target_is_fast_forwarded_only_while_the_tested_commit_is_a_fast_forward_of_it()
    {
        using var project = Open();
        var mr1 = MergeRequest(1, ("one.txt", "1\n"));
        var mr2 = MergeRequest(2, ("two.txt", "2\n"));
        project.Fetch();
        var car1 = project.BuildMergeRef(1, _root, mr1, "car 1").ShouldBeOfType<MergeOutcome.Merged>();

        project.FastForwardTarget("main", car1.CommitSha).ShouldBe(new TargetUpdate(TargetUpdateStatus.Updated));
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/main").ShouldBe(car1.CommitSha);
        project.ResolveBranch("main").ShouldBe(car1.CommitSha);

        // Someone pushes to main; a car built on the old head must not land.
        var car2 = project.BuildMergeRef(2, car1.CommitSha, mr2, "car 2").ShouldBeOfType<MergeOutcome.Merged>();
        var hotfix = CommitWriter.Commit(_remotePath, car1.CommitSha, BareRepositoryTests.Files(("hotfix.txt", "h\n")));
        GitCli.Run(_remotePath, "update-ref", "refs/heads/main", hotfix);

        var update = project.FastForwardTarget("main", car2.CommitSha);

        update.Status.ShouldBe(TargetUpdateStatus.RejectedNotFastForward);
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/main").ShouldBe(hotfix);
    }

    [Test]
    public void A_rebased_car_replaces_the_source_branch_only_while_it_holds_the_head_the_car_was_built_from()
    {
        using var project = Open();
        var hotfix = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(("hotfix.txt", "h\n")), "hotfix");
        GitCli.Run(_remotePath, "update-ref", "refs/heads/main", hotfix);
        var head = MergeRequest(1, ("one.txt", "1\n"));
        GitCli.Run(_remotePath, "update-ref", "refs/heads/feature", head);
        project.Fetch();

        var car = project.BuildMergeRef(1, new CarRecipe(hotfix, hotfix, head, Rebase: true, MergeCommit: false, "unused")).ShouldBeOfType<MergeOutcome.Merged>();
        var rebased = car.RewrittenHeadSha.ShouldNotBeNull();

        project.PublishRewrittenSource("feature", head, rebased).ShouldBe(new SourcePublication(true, rebased));
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/feature").ShouldBe(rebased);
        project.PublishRewrittenSource("feature", head, rebased).ShouldBe(new SourcePublication(true, rebased), "a repeat finds it done");

        // The author pushed meanwhile: the author's commits win.
        var authors = CommitWriter.Commit(_remotePath, head, BareRepositoryTests.Files(("two.txt", "2\n")), "more");
        GitCli.Run(_remotePath, "update-ref", "refs/heads/feature", authors);
        project.PublishRewrittenSource("feature", head, rebased).ShouldBe(new SourcePublication(false, authors));
        GitCli.Run(_remotePath, "rev-parse", "refs/heads/feature").ShouldBe(authors);
    }

    [Test]
    public void Branch_names_that_could_force_a_push_are_refused()
    {
        using var project = Open();

        Should.Throw<ArgumentException>(() => project.FastForwardTarget("+main", _root));
        Should.Throw<ArgumentException>(() => project.FastForwardTarget("main:refs/heads/other", _root));
        Should.Throw<ArgumentException>(() => project.PublishBranch(1, "+merge-train/main/1"));
    }

    [Test]
    public void Trains_of_one_project_build_concurrently_while_the_repository_is_fetched()
    {
        using var project = Open();
        var heads = Enumerable.Range(1, 16).Select(i => MergeRequest(i, ($"file{i}.txt", $"{i}\n"))).ToList();
        project.Fetch();

        // Four trains of four cars, built in parallel, while fetches run.
        var trains = Enumerable.Range(0, 4).Select(train => Task.Run(() =>
        {
            var @base = _root;
            for (var car = 0; car < 4; car++)
            {
                var iid = (train * 4) + car + 1;
                var merged = project.BuildMergeRef(iid, @base, heads[iid - 1], $"car {iid}").ShouldBeOfType<MergeOutcome.Merged>();
                @base = merged.CommitSha;
            }

            return @base;
        })).ToList();
        var fetches = Task.Run(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                project.Fetch();
            }
        });
        Task.WaitAll([.. trains, fetches]);

        for (var train = 0; train < 4; train++)
        {
            var last = trains[train].Result;
            GitCli.Run(project.Path, "ls-tree", "--name-only", last).Split('\n')
                .ShouldBe(RootFiles.Concat(Enumerable.Range((train * 4) + 1, 4).Select(i => $"file{i}.txt")).Order(StringComparer.Ordinal));
        }

        GitCli.Run(project.Path, "fsck", "--no-dangling").ShouldBeEmpty();
    }

    private static async Task WaitUntilLockedAsync(string lockFile)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                {
                }
            }
            catch (IOException)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("flock never took the lock");
    }

    [Test]
    public void A_reference_lock_left_by_a_killed_process_is_removed_when_the_repository_is_opened_again()
    {
        var mr = MergeRequest(1, ("feature.txt", "f\n"));
        using (var first = Open())
        {
            first.Fetch();
        }

        // A process killed while updating refs/merge-requests/1/merge leaves its lock file behind.
        var lockFile = Path.Combine(_temp.Path, "repositories", "42.git", "refs", "merge-requests", "1", "merge.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        File.WriteAllText(lockFile, "");
        File.SetLastWriteTimeUtc(lockFile, System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().AddMinutes(-1));

        using var again = Open();

        File.Exists(lockFile).ShouldBeFalse();
        again.BuildMergeRef(1, _root, mr, "Merge").ShouldBeOfType<MergeOutcome.Merged>();
    }

    [Test]
    public void A_reference_lock_newer_than_this_process_is_left_alone()
    {
        using (var first = Open())
        {
            first.Fetch();
        }

        var lockFile = Path.Combine(_temp.Path, "repositories", "42.git", "packed-refs.lock");
        File.WriteAllText(lockFile, "");

        using var again = Open();

        File.Exists(lockFile).ShouldBeTrue("another instance sharing the directory may be writing");
        File.Delete(lockFile);
    }

    private ProjectRepository Open() =>
        ProjectRepository.Open(new ProjectRepositorySettings(_temp.Path, 42, _remoteUrl) { Token = Token, Committer = new GitIdentity("Bot", "bot@example.com") });

    private string MergeRequest(int iid, (string Path, string Content) change)
    {
        var head = CommitWriter.Commit(_remotePath, _root, BareRepositoryTests.Files(change), $"mr {iid}");
        GitCli.Run(_remotePath, "update-ref", $"refs/merge-requests/{iid}/head", head);
        return head;
    }
}
