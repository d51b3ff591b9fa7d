using LibGit2Sharp;

namespace MergeTrain.Git;

/// <remarks>
/// Rewriting a merge request's commits as GitLab's merge methods do: a rebase (semi-linear history and
/// fast-forward merges) and a squash. A rebase replays each commit as <c>git cherry-pick</c> does,
/// a merge of the commit into the new base whose merge base is the commit's parent; the merge is
/// the same one <see cref="Merge"/> performs (the fast path, else git's merge-ort), so a replayed
/// commit's tree is git's. Merge commits of the range are left out and commits that become empty
/// are dropped, as <c>git rebase</c> does by default. Authors and messages are kept; the committer
/// is the service.
/// </remarks>
public sealed partial class BareRepository
{
    /// <summary>
    /// Replays the commits reachable from <paramref name="headSha"/> and not from
    /// <paramref name="upstreamSha"/> (the target head), oldest first, onto <paramref name="ontoSha"/>
    /// (the car ahead's commit, or the target head). When they already sit on it in a line, nothing is
    /// written and the head is returned as it is, as <c>git rebase</c> leaves a branch that is up to date.
    /// </summary>
    public RewriteOutcome Rebase(string ontoSha, string upstreamSha, string headSha, GitIdentity committer, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(committer);
        var onto = LookupCommit(ontoSha);
        var head = LookupCommit(headSha);
        var range = CommitsOf(upstreamSha, head);
        if (IsLineOn(onto, range, head))
        {
            return new RewriteOutcome.Rewritten(head.Sha, 0);
        }

        var current = onto;
        var replayed = 0;
        foreach (var commit in range.Where(commit => commit.Parents.Count() == 1))
        {
            var (tree, conflicts) = CherryPickTree(current, commit);
            if (conflicts is not null)
            {
                return new RewriteOutcome.Conflicted(conflicts, commit.Sha);
            }

            if (tree == current.Tree.Sha)
            {
                continue;
            }

            current = LookupCommit(WriteCommit(tree, [current.Sha], AuthorOf(commit), committer, when, commit.Message));
            replayed++;
        }

        return new RewriteOutcome.Rewritten(current.Sha, replayed);
    }

    /// <summary>
    /// One commit holding every change of the merge request, as GitLab squashes: the tree of
    /// <paramref name="headSha"/> on the merge base of it and <paramref name="upstreamSha"/>, with
    /// <paramref name="message"/>. The author is the author of the merge request's first commit
    /// (GitLab uses the MR author, whose e-mail address its API does not give); the committer is the
    /// service. A head with no commits of its own is returned as it is.
    /// </summary>
    public string Squash(string upstreamSha, string headSha, string message, GitIdentity committer, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(committer);
        var head = LookupCommit(headSha);
        var range = CommitsOf(upstreamSha, head);
        if (range.Count == 0)
        {
            return head.Sha;
        }

        var mergeBase = _repository.ObjectDatabase.FindMergeBase(head, LookupCommit(upstreamSha))
            ?? throw new InvalidOperationException($"{headSha} and {upstreamSha} have no common history.");
        return WriteCommit(head.Tree.Sha, [mergeBase.Sha], AuthorOf(range[0]), committer, when, message);
    }

    /// <summary>
    /// Builds a car commit as <paramref name="recipe"/> says (squash, rebase, merge commit, in that
    /// order). The outcome names the rewritten MR head when the MR's commits were rewritten.
    /// </summary>
    public MergeOutcome BuildCar(CarRecipe recipe, GitIdentity identity, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var head = recipe.SquashMessage is { } squashMessage ? Squash(recipe.UpstreamSha, recipe.HeadSha, squashMessage, identity, when) : recipe.HeadSha;
        if (recipe.Rebase)
        {
            switch (Rebase(recipe.BaseSha, recipe.UpstreamSha, head, identity, when))
            {
                case RewriteOutcome.Conflicted conflicted:
                    return new MergeOutcome.Conflicted(conflicted.Paths);
                case RewriteOutcome.Rewritten rewritten:
                    head = rewritten.HeadSha;
                    break;
            }
        }

        var rewrittenHead = head == recipe.HeadSha ? null : head;
        if (!recipe.MergeCommit)
        {
            return new MergeOutcome.Merged(head, TreeOf(head)) { RewrittenHeadSha = rewrittenHead };
        }

        return Merge(recipe.BaseSha, head, recipe.MergeMessage, identity, when) switch
        {
            MergeOutcome.Merged merged => merged with { RewrittenHeadSha = rewrittenHead },
            var conflicted => conflicted,
        };
    }

    // Oldest first, parents before children, as git rebase replays them.
    private List<Commit> CommitsOf(string upstreamSha, Commit head) =>
        _repository.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = head,
            ExcludeReachableFrom = LookupCommit(upstreamSha),
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse,
        }).ToList();

    private static bool IsLineOn(Commit onto, List<Commit> range, Commit head)
    {
        var expectedParent = onto.Sha;
        foreach (var commit in range)
        {
            if (commit.Parents.Count() != 1 || commit.Parents.First().Sha != expectedParent)
            {
                return false;
            }

            expectedParent = commit.Sha;
        }

        return expectedParent == head.Sha;
    }

    /// <summary>
    /// The tree of <paramref name="commit"/> cherry-picked onto <paramref name="onto"/>: a merge whose
    /// base is the commit's parent. Three synthetic commits (fixed identity, so written once per tree
    /// triple) make that parent the only merge base of the two sides.
    /// </summary>
    private (string Tree, IReadOnlyList<string>? Conflicts) CherryPickTree(Commit onto, Commit commit)
    {
        var parent = commit.Parents.Single();
        var mergeBase = WriteSyntheticCommit(parent.Tree.Sha, null);
        var ours = WriteSyntheticCommit(onto.Tree.Sha, mergeBase);
        var theirs = WriteSyntheticCommit(commit.Tree.Sha, mergeBase);
        var (tree, _, conflicts, _) = MergeTrees(LookupCommit(ours), LookupCommit(theirs));
        return (tree, conflicts);
    }

    private string WriteSyntheticCommit(string tree, string? parent)
    {
        var text = $"tree {tree}\n{(parent is null ? string.Empty : $"parent {parent}\n")}author {SyntheticIdentity}\ncommitter {SyntheticIdentity}\n\nmergetrain: cherry-pick\n";
        return _repository.ObjectDatabase.Write<Commit>(System.Text.Encoding.UTF8.GetBytes(text)).Sha;
    }

    // A raw commit object, as git commit-tree writes it; LibGit2Sharp's CreateCommit only where it must
    // (names libgit2 would trim or refuse).
    private string WriteCommit(string treeSha, IReadOnlyList<string> parents, (string Name, string Email, DateTimeOffset When) author, GitIdentity committer, DateTimeOffset when, string message)
    {
        if (!IsPlainSignaturePart(author.Name) || !IsPlainSignaturePart(author.Email) || !IsPlainSignaturePart(committer.Name) || !IsPlainSignaturePart(committer.Email))
        {
            var tree = _repository.Lookup<Tree>(treeSha) ?? throw new InvalidOperationException($"Tree {treeSha} is missing from {Path}.");
            return _repository.ObjectDatabase.CreateCommit(
                new Signature(author.Name, author.Email, author.When),
                new Signature(committer.Name, committer.Email, when),
                message,
                tree,
                parents.Select(LookupCommit),
                prettifyMessage: false).Sha;
        }

        var text = $"tree {treeSha}\n{string.Concat(parents.Select(p => $"parent {p}\n"))}author {Person(author.Name, author.Email, author.When)}\ncommitter {Person(committer.Name, committer.Email, when)}\n\n{message}";
        return _repository.ObjectDatabase.Write<Commit>(System.Text.Encoding.UTF8.GetBytes(text)).Sha;
    }

    private static (string Name, string Email, DateTimeOffset When) AuthorOf(Commit commit) => (commit.Author.Name, commit.Author.Email, commit.Author.When);

    private static string Person(string name, string email, DateTimeOffset when)
    {
        var offset = (int)when.Offset.TotalMinutes;
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{name} <{email}> {when.ToUnixTimeSeconds()} {(offset < 0 ? '-' : '+')}{Math.Abs(offset) / 60:D2}{Math.Abs(offset) % 60:D2}");
    }
}
