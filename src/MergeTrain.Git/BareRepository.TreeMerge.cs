using LibGit2Sharp;

namespace MergeTrain.Git;

/// <remarks>
/// The merge itself. Git's merge-ort is the reference; this file computes the same tree faster
/// when it can prove that it does, and otherwise asks git.
/// <para>
/// The fast path walks the merge base, ours and theirs together and keeps, without descending, every
/// entry that is equal on two of the three sides: unchanged on one side means "take the other",
/// changed identically on both means "take either". Only directories changed on both sides are
/// entered, and only files changed differently on both sides need a content merge. That is merge-ort's
/// own result whenever rename detection has nothing to pair, which this file makes sure of:
/// </para>
/// <list type="bullet">
/// <item>exactly one merge base (criss-cross histories make git merge the bases first);</item>
/// <item>no rename can change the result. A rename pairs a deletion with an addition on one side; it
/// matters only if the other side touched its source (modify/delete, rename/delete, rename/rename:
/// both sides changed that path, which the walk sends to git, including identical deletions and
/// additions) or its target (rename/add: likewise), or changed something in a directory the rename
/// vacated. merge-ort (git 2.39) infers a directory rename only for a directory that one side removed
/// entirely (its <c>dirs_removed</c>), and it moves only what the other side added or renamed into
/// that directory; so the one case left is a directory that exists in the base, is gone on one side
/// and changed on the other, and the walk reaches it because every directory above it changed on
/// both sides. Deletions and additions anywhere else, even side by side in one directory, change
/// nothing (the corpus has both kinds). A type change counts as both.</item>
/// <item>a path changed on both sides is a directory on all sides present (merged entry by entry) or
/// a regular file on all three (content merge); anything else (modify/delete, add/add, file/directory,
/// symlinks, submodules) goes to git;</item>
/// <item>no renormalization (<c>merge.renormalize</c>) in a tree with a top-level <c>.gitattributes</c>.</item>
/// </list>
/// <para>
/// Attributes need no other guard. In a bare repository git 2.39's merge-ort hands its content
/// merges an attribute index that is empty unless it renormalizes, when it holds the merged
/// top-level <c>.gitattributes</c> and nothing else (merge-ort.c, <c>initialize_attr_index</c>);
/// the <c>.gitattributes</c> files of the merged trees are otherwise never read, and what applies
/// (merge drivers, <c>text</c>, <c>eol</c>, conflict marker sizes) comes from <c>info/attributes</c>
/// and the attribute files git's configuration names. The file merges below run in the same
/// repository on the same paths, so they see exactly those attributes too.
/// </para>
/// <para>
/// Content merges are not done by libgit2: merge-ort hard-codes the histogram diff for them and
/// libgit2 (1.8 included) only offers Myers and patience, which can align repeated lines differently
/// and so produce a different clean result. The files changed on both sides are instead merged by one
/// <c>git merge-tree</c> on three synthetic commits holding only those files at their paths, where no
/// rename is possible: the same content and mode merge git performs in the full merge, at the cost of
/// one small process instead of a merge of the whole tree. The synthetic objects, and the trees git
/// merges from them, live in a private object directory in memory (<see cref="ScratchObjects"/>):
/// only the merged blobs are copied into the repository. A content conflict is reported with the
/// paths that synthetic merge names: everything else merged trivially, so they are git's paths.
/// </para>
/// </remarks>
public sealed partial class BareRepository
{
    private const string AttributesFile = ".gitattributes";

    // Fixed identity and time: the synthetic commits are a pure function of the files they hold,
    // so merging the same files again writes no new objects.
    private const string SyntheticIdentity = "MergeTrain <mergetrain@localhost> 0 +0000";

    // Why the current merge left the fast path; an instance is used by one thread at a time.
    private FastPathExit _exit;

    // Read once per handle, from the repository's own configuration only: git runs with the
    // system and global files ignored (GitCommandLine).
    private bool? _renormalize;

    // Where the file merges' throw-away objects go (ScratchObjects), made at the first file merge.
    private ScratchObjects? _scratch;

    private (string Tree, MergeRoute Route, IReadOnlyList<string>? Conflicts, FastPathExit Exit) MergeTrees(Commit ours, Commit theirs)
    {
        _exit = FastPathExit.None;
        if (TryFastMerge(ours, theirs) is { } fast)
        {
            return (fast.Tree, fast.Route, fast.Conflicts, FastPathExit.None);
        }

        var (clean, tree, conflicts) = GitCommandLine.MergeTree(Path, ours.Sha, theirs.Sha);
        return (tree, MergeRoute.GitMergeTree, clean ? null : conflicts, _exit);
    }

    private bool Leave(FastPathExit exit)
    {
        _exit = exit;
        return false;
    }

    private (string Tree, MergeRoute Route, IReadOnlyList<string>? Conflicts)? TryFastMerge(Commit ours, Commit theirs)
    {
        _native ??= NativeRepository.Open(Path);
        var bases = _native.FindMergeBases(Oid.Parse(ours.Sha), Oid.Parse(theirs.Sha));
        if (bases.Count != 1)
        {
            _exit = FastPathExit.CrissCross;
            return null;
        }

        var baseTree = Oid.Parse(LookupCommit(bases[0].ToString()).Tree.Sha);
        var fileMerges = new List<FileMerge>();
        var root = new TreeItem(TreeItem.DirectoryMode, baseTree);
        if (!TryMergeEntry(string.Empty, root, Dir(ours.Tree.Sha), Dir(theirs.Tree.Sha), fileMerges, out var merged))
        {
            return null;
        }

        Dictionary<string, TreeItem>? mergedFiles = null;
        if (fileMerges.Count > 0)
        {
            if (Renormalizes() && (ours.Tree[AttributesFile] ?? theirs.Tree[AttributesFile] ?? LookupCommit(bases[0].ToString()).Tree[AttributesFile]) is not null)
            {
                _exit = FastPathExit.Renormalize;
                return null;
            }

            (mergedFiles, var conflicts) = MergeFiles(fileMerges);
            if (mergedFiles is null)
            {
                // Every other path merged trivially and no rename can pair, so the full merge would
                // conflict in exactly these files: no need to ask git a second time.
                return (string.Empty, MergeRoute.TreeFastPathWithFileMerges, conflicts);
            }
        }

        var route = fileMerges.Count > 0 ? MergeRoute.TreeFastPathWithFileMerges : MergeRoute.TreeFastPath;
        var tree = merged switch
        {
            null => WriteTree([]),
            { Children: null } => merged.Item.Id,
            _ => Materialize(merged, mergedFiles),
        };
        return (tree.ToString(), route, null);

        static TreeItem Dir(string sha) => new(TreeItem.DirectoryMode, Oid.Parse(sha));
    }

    private bool Renormalizes() =>
        _renormalize ??= _repository.Config.Get<bool>("merge.renormalize", ConfigurationLevel.Local)?.Value ?? false;

    private bool TryMergeDirectory(string path, TreeItem? @base, TreeItem ours, TreeItem theirs, List<FileMerge> fileMerges, out Node? result)
    {
        result = null;
        var baseItems = @base is { } b ? ReadTree(b.Id) : [];
        var ourItems = ReadTree(ours.Id);
        var theirItems = ReadTree(theirs.Id);

        var names = new HashSet<string>(ourItems.Keys, StringComparer.Ordinal);
        names.UnionWith(theirItems.Keys);
        names.UnionWith(baseItems.Keys);
        var children = new List<(string Name, Node Node)>(names.Count);
        bool sameAsOurs = true, sameAsTheirs = true;
        foreach (var name in names)
        {
            TreeItem? bi = baseItems.TryGetValue(name, out var x) ? x : null;
            TreeItem? oi = ourItems.TryGetValue(name, out var y) ? y : null;
            TreeItem? ti = theirItems.TryGetValue(name, out var z) ? z : null;
            if (!TryMergeEntry(path.Length == 0 ? name : path + "/" + name, bi, oi, ti, fileMerges, out var child))
            {
                return false;
            }

            sameAsOurs &= child?.Is(oi) ?? oi is null;
            sameAsTheirs &= child?.Is(ti) ?? ti is null;
            if (child is not null)
            {
                children.Add((name, child));
            }
        }

        // A directory left empty disappears, as it does in git.
        if (children.Count == 0)
        {
            return true;
        }

        result = sameAsOurs ? Node.Existing(ours) : sameAsTheirs ? Node.Existing(theirs) : Node.Directory(children);
        return true;
    }

    private bool TryMergeEntry(string path, TreeItem? @base, TreeItem? ours, TreeItem? theirs, List<FileMerge> fileMerges, out Node? result)
    {
        result = null;
        if (ours == theirs)
        {
            // The same change on both sides; unless it is a plain edit it may be half of a rename.
            if (ours != @base && !IsPlainEdit(@base, ours))
            {
                return Leave(FastPathExit.SameChangeMayBeRename);
            }

            result = ours is { } same ? Node.Existing(same) : null;
            return true;
        }

        if (@base == ours)
        {
            result = theirs is { } changed ? Node.Existing(changed) : null;
            return true;
        }

        if (@base == theirs)
        {
            result = ours is { } changed ? Node.Existing(changed) : null;
            return true;
        }

        if (ours is { IsDirectory: true } o && theirs is { IsDirectory: true } t && @base is null or { IsDirectory: true })
        {
            return TryMergeDirectory(path, @base, o, t, fileMerges, out result);
        }

        // A directory one side removed entirely while the other changed something in it: the only
        // shape in which merge-ort's directory rename detection can move the other side's changes.
        if (@base is { IsDirectory: true } && ((ours is null && theirs is { IsDirectory: true }) || (theirs is null && ours is { IsDirectory: true })))
        {
            return Leave(FastPathExit.DirectoryRename);
        }

        if (@base is { IsRegularFile: true } && ours is { IsRegularFile: true } && theirs is { IsRegularFile: true })
        {
            var merge = new FileMerge(path, @base.Value, ours.Value, theirs.Value);
            fileMerges.Add(merge);
            result = Node.Pending(merge);
            return true;
        }

        return Leave(FastPathExit.NotMergeableEntry);
    }

    // A modification of a file's content or executable bit, or a subtree holding only such
    // modifications: no path appears or disappears, so no rename can be involved.
    private bool IsPlainEdit(TreeItem? @base, TreeItem? changed)
    {
        if (@base is not { } b || changed is not { } c || b.Kind != c.Kind)
        {
            return false;
        }

        if (!b.IsDirectory)
        {
            return true;
        }

        bool added = false, deleted = false;
        Diff(b.Id, c.Id, ref added, ref deleted);
        return !added && !deleted;
    }

    private void Diff(Oid @base, Oid side, ref bool added, ref bool deleted)
    {
        if (@base == side)
        {
            return;
        }

        var baseItems = ReadTree(@base);
        var sideItems = ReadTree(side);
        foreach (var (name, b) in baseItems)
        {
            if (!sideItems.TryGetValue(name, out var s))
            {
                deleted = true;
            }
            else if (b == s)
            {
                continue;
            }
            else if (b.IsDirectory && s.IsDirectory)
            {
                Diff(b.Id, s.Id, ref added, ref deleted);
            }
            else if (b.Kind != s.Kind)
            {
                added = deleted = true;
            }

            if (added && deleted)
            {
                return;
            }
        }

        added |= sideItems.Keys.Any(name => !baseItems.ContainsKey(name));
    }

    // One git merge-tree on synthetic commits that hold only the files to merge: returns each
    // file's merged entry, or (null, the conflicting paths) when any of them conflicts. The
    // synthetic objects and git's merged trees stay in the scratch object directory; only the
    // merged blobs git wrote there are copied into the repository.
    private (Dictionary<string, TreeItem>? Merged, IReadOnlyList<string> Conflicts) MergeFiles(List<FileMerge> merges)
    {
        _scratch ??= new ScratchObjects();
        var baseCommit = SyntheticCommit(merges, m => m.Base, null);
        var oursCommit = SyntheticCommit(merges, m => m.Ours, baseCommit);
        var theirsCommit = SyntheticCommit(merges, m => m.Theirs, baseCommit);
        var (clean, treeSha, conflicts) = GitCommandLine.MergeTree(Path, oursCommit, theirsCommit, _scratch.Path);
        if (!clean)
        {
            return (null, conflicts);
        }

        var tree = Oid.Parse(treeSha);
        var merged = new Dictionary<string, TreeItem>(StringComparer.Ordinal);
        foreach (var merge in merges)
        {
            var item = FindInMergedTree(tree, merge.Path) ?? throw new InvalidOperationException($"git merged {merge.Path} away in {treeSha}.");
            if (_scratch.TryRead(item.Id) is { } blob)
            {
                _repository.ObjectDatabase.Write<Blob>(blob);
            }

            merged[merge.Path] = item;
        }

        return (merged, []);
    }

    private TreeItem? FindInMergedTree(Oid tree, string path)
    {
        TreeItem? item = new TreeItem(TreeItem.DirectoryMode, tree);
        foreach (var name in path.Split('/'))
        {
            if (item is not { IsDirectory: true } directory)
            {
                return null;
            }

            // git writes a tree it merged to the scratch directory unless the repository has it.
            var entries = _scratch!.TryRead(directory.Id) is { } raw ? ParseTree(raw) : ReadTree(directory.Id);
            item = entries.TryGetValue(name, out var entry) ? entry : null;
        }

        return item;
    }

    private static Dictionary<string, TreeItem> ParseTree(byte[] raw)
    {
        var entries = new Dictionary<string, TreeItem>(StringComparer.Ordinal);
        var rest = raw.AsSpan();
        while (rest.Length > 0)
        {
            var space = rest.IndexOf((byte)' ');
            var mode = Convert.ToInt32(System.Text.Encoding.ASCII.GetString(rest[..space]), 8);
            rest = rest[(space + 1)..];
            var nul = rest.IndexOf((byte)0);
            var name = System.Text.Encoding.UTF8.GetString(rest[..nul]);
            entries[name] = new TreeItem(mode, Oid.FromBytes(rest.Slice(nul + 1, 20)));
            rest = rest[(nul + 21)..];
        }

        return entries;
    }

    // Written as raw objects in the scratch directory: LibGit2Sharp's TreeDefinition and
    // CreateCommit took about 5 ms per synthetic commit on libgit2/libgit2's history, and writing
    // them into the repository cost a new inode each.
    private string SyntheticCommit(List<FileMerge> merges, Func<FileMerge, TreeItem> side, string? parent)
    {
        var root = new SyntheticDirectory();
        foreach (var merge in merges)
        {
            var names = merge.Path.Split('/');
            var directory = root;
            foreach (var name in names.AsSpan(0, names.Length - 1))
            {
                directory = directory.Directories.TryGetValue(name, out var child) ? child : directory.Directories[name] = new SyntheticDirectory();
            }

            directory.Files[names[^1]] = side(merge);
        }

        var commit = $"tree {WriteSynthetic(root)}\n{(parent is null ? string.Empty : $"parent {parent}\n")}"
            + $"author {SyntheticIdentity}\ncommitter {SyntheticIdentity}\n\nmergetrain: file merge\n";
        return _scratch!.Write("commit", System.Text.Encoding.UTF8.GetBytes(commit)).ToString();
    }

    private Oid WriteSynthetic(SyntheticDirectory directory)
    {
        var entries = directory.Files.Select(f => (f.Key, f.Value)).ToList();
        entries.AddRange(directory.Directories.Select(d => (d.Key, new TreeItem(TreeItem.DirectoryMode, WriteSynthetic(d.Value)))));
        return _scratch!.Write("tree", TreeBytes(entries));
    }

    private Oid Materialize(Node directory, Dictionary<string, TreeItem>? mergedFiles)
    {
        var entries = new List<(string Name, TreeItem Item)>(directory.Children!.Count);
        foreach (var (name, child) in directory.Children!)
        {
            var item = child.FileMerge is { } pending ? mergedFiles![pending.Path]
                : child.Children is not null ? new TreeItem(TreeItem.DirectoryMode, Materialize(child, mergedFiles))
                : child.Item;
            entries.Add((name, item));
        }

        return WriteTree(entries);
    }

    // Writes a tree object as git does: entries ordered by name, a directory's name compared as if
    // it ended in '/', both as UTF-8 bytes.
    private Oid WriteTree(List<(string Name, TreeItem Item)> entries) =>
        Oid.Parse(_repository.ObjectDatabase.Write<Tree>(TreeBytes(entries)).Sha);

    private static byte[] TreeBytes(List<(string Name, TreeItem Item)> entries)
    {
        entries.Sort((x, y) => CompareTreeNames(x.Name, x.Item.IsDirectory, y.Name, y.Item.IsDirectory));
        var bytes = new List<byte>(entries.Count * 40);
        foreach (var (name, item) in entries)
        {
            item.AppendTo(bytes, name);
        }

        return bytes.ToArray();
    }

    private static int CompareTreeNames(string x, bool xIsDirectory, string y, bool yIsDirectory)
    {
        var a = System.Text.Encoding.UTF8.GetBytes(xIsDirectory ? x + "/" : x);
        var b = System.Text.Encoding.UTF8.GetBytes(yIsDirectory ? y + "/" : y);
        return a.AsSpan().SequenceCompareTo(b);
    }

    private Dictionary<string, TreeItem> ReadTree(Oid id) => (_native ??= NativeRepository.Open(Path)).ReadTree(id);

    private sealed record FileMerge(string Path, TreeItem Base, TreeItem Ours, TreeItem Theirs);

    /// <summary>One directory of a synthetic commit's tree.</summary>
    private sealed class SyntheticDirectory
    {
        public Dictionary<string, SyntheticDirectory> Directories { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, TreeItem> Files { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One entry of the merged tree: an existing object, a new directory, or a file git is merging.</summary>
    private sealed class Node
    {
        private Node(TreeItem item, List<(string Name, Node Node)>? children, FileMerge? fileMerge)
        {
            Item = item;
            Children = children;
            FileMerge = fileMerge;
        }

        public TreeItem Item { get; }

        public List<(string Name, Node Node)>? Children { get; }

        public FileMerge? FileMerge { get; }

        public static Node Existing(TreeItem item) => new(item, null, null);

        public static Node Directory(List<(string Name, Node Node)> children) => new(default, children, null);

        public static Node Pending(FileMerge merge) => new(default, null, merge);

        public bool Is(TreeItem? item) => Children is null && FileMerge is null && item == Item;
    }
}
