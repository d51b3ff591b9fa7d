using System.Globalization;

namespace MergeTrain.FakeGitLab.Git;

/// <summary>A bare git repository on disk, driven through the git command line.</summary>
internal sealed class BareRepository(string path)
{
    public const string ZeroSha = "0000000000000000000000000000000000000000";

    // GitLab protects the default branch (no force push, no deletion) and refuses client pushes to
    // refs/merge-requests/*; the service must live with both, so the fake enforces them on receive.
    private const string PreReceiveHook = """
        #!/bin/sh
        zero=0000000000000000000000000000000000000000
        while read old new ref; do
          case "$ref" in
            refs/merge-requests/*)
              echo "GitLab: You are not allowed to push to merge request refs." >&2
              exit 1;;
            refs/heads/main)
              if [ "$new" = "$zero" ]; then
                echo "GitLab: You can only delete protected branches using the web interface." >&2
                exit 1
              fi
              if [ "$old" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new"; then
                echo "GitLab: You are not allowed to force push code to a protected branch on this project." >&2
                exit 1
              fi;;
          esac
        done
        exit 0
        """;

    public string Path { get; } = path;

    public static async Task<BareRepository> InitAsync(string path, string defaultBranch, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(path);
        await GitCli.RunCheckedAsync(path, ["init", "--bare", "--quiet", "--initial-branch=" + defaultBranch, path], cancellationToken: cancellationToken);
        var hook = System.IO.Path.Combine(path, "hooks", "pre-receive");
        await File.WriteAllTextAsync(hook, PreReceiveHook.Replace("refs/heads/main)", $"refs/heads/{defaultBranch})", StringComparison.Ordinal) + "\n", cancellationToken);
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        return new BareRepository(path);
    }

    /// <summary>
    /// Writes a commit whose tree is <paramref name="parent"/>'s tree with <paramref name="changes"/>
    /// applied (a null content deletes the file). No ref moves.
    /// </summary>
    public async Task<string> CommitAsync(
        string? parent,
        IReadOnlyDictionary<string, string?> changes,
        string message,
        FakeUser author,
        DateTimeOffset when,
        CancellationToken cancellationToken)
    {
        var index = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fake-gitlab-index-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["GIT_INDEX_FILE"] = index,
            ["GIT_AUTHOR_NAME"] = author.Name,
            ["GIT_AUTHOR_EMAIL"] = author.Email,
            ["GIT_AUTHOR_DATE"] = when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000",
            ["GIT_COMMITTER_NAME"] = author.Name,
            ["GIT_COMMITTER_EMAIL"] = author.Email,
            ["GIT_COMMITTER_DATE"] = when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000",
        };
        try
        {
            if (parent is null)
            {
                await GitCli.RunCheckedAsync(Path, ["read-tree", "--empty"], environment: environment, cancellationToken: cancellationToken);
            }
            else
            {
                await GitCli.RunCheckedAsync(Path, ["read-tree", parent], environment: environment, cancellationToken: cancellationToken);
            }

            var indexInfo = new System.Text.StringBuilder();
            foreach (var (file, content) in changes)
            {
                if (content is null)
                {
                    indexInfo.Append(CultureInfo.InvariantCulture, $"0 {ZeroSha}\t{file}\n");
                    continue;
                }

                var blob = (await GitCli.RunCheckedAsync(Path, ["hash-object", "-w", "--stdin"], content, cancellationToken: cancellationToken)).Trim();
                indexInfo.Append(CultureInfo.InvariantCulture, $"100644 {blob}\t{file}\n");
            }

            await GitCli.RunCheckedAsync(Path, ["update-index", "--index-info"], indexInfo.ToString(), environment, cancellationToken);
            var tree = (await GitCli.RunCheckedAsync(Path, ["write-tree"], environment: environment, cancellationToken: cancellationToken)).Trim();
            List<string> commitArguments = parent is null ? ["commit-tree", tree, "-F", "-"] : ["commit-tree", tree, "-p", parent, "-F", "-"];

            return (await GitCli.RunCheckedAsync(Path, commitArguments, message, environment, cancellationToken)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    public Task UpdateRefAsync(string reference, string sha, CancellationToken cancellationToken) =>
        GitCli.RunCheckedAsync(Path, ["update-ref", reference, sha], cancellationToken: cancellationToken);

    public async Task<string?> ResolveAsync(string revision, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(Path, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"], cancellationToken: cancellationToken);

        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListBranchesAsync(CancellationToken cancellationToken)
    {
        var output = await GitCli.RunCheckedAsync(Path, ["for-each-ref", "--format=%(refname:lstrip=2)%09%(objectname)", "refs/heads/"], cancellationToken: cancellationToken);
        var branches = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            branches[line[..tab]] = line[(tab + 1)..];
        }

        return branches;
    }

    public async Task<bool> IsAncestorAsync(string ancestor, string descendant, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(Path, ["merge-base", "--is-ancestor", ancestor, descendant], cancellationToken: cancellationToken);

        return result.ExitCode == 0;
    }

    public async Task<string?> ReadFileAsync(string revision, string file, CancellationToken cancellationToken)
    {
        var result = await GitCli.RunAsync(Path, ["cat-file", "blob", revision + ":" + file], cancellationToken: cancellationToken);

        return result.ExitCode == 0 ? result.Output : null;
    }

    public async Task<GitCommit> ReadCommitAsync(string sha, CancellationToken cancellationToken)
    {
        var output = await GitCli.RunCheckedAsync(Path, ["show", "-s", "--format=%H%x00%an%x00%ae%x00%aI%x00%B", sha], cancellationToken: cancellationToken);
        var parts = output.Split('\0');

        return new GitCommit(parts[0], parts[1], parts[2], DateTimeOffset.Parse(parts[3], CultureInfo.InvariantCulture), parts[4].TrimEnd('\n'));
    }

    /// <summary>Commits reachable from <paramref name="after"/> but not from <paramref name="excluded"/>, oldest first.</summary>
    public async Task<IReadOnlyList<string>> NewCommitsAsync(string after, IEnumerable<string> excluded, int limit, CancellationToken cancellationToken)
    {
        List<string> arguments = ["rev-list", "--reverse", after];
        arguments.AddRange(excluded.Where(sha => sha != ZeroSha).Select(sha => "^" + sha));
        var output = await GitCli.RunCheckedAsync(Path, arguments, cancellationToken: cancellationToken);
        var all = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        return all.Length <= limit ? all : all[^limit..];
    }

    public async Task<int> CountCommitsAsync(string after, IEnumerable<string> excluded, CancellationToken cancellationToken)
    {
        List<string> arguments = ["rev-list", "--count", after];
        arguments.AddRange(excluded.Where(sha => sha != ZeroSha).Select(sha => "^" + sha));

        return int.Parse((await GitCli.RunCheckedAsync(Path, arguments, cancellationToken: cancellationToken)).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Paths added, modified and removed by one commit relative to its first parent.</summary>
    public async Task<(IReadOnlyList<string> Added, IReadOnlyList<string> Modified, IReadOnlyList<string> Removed)> ChangedFilesAsync(
        string sha, CancellationToken cancellationToken)
    {
        var output = await GitCli.RunCheckedAsync(Path, ["diff-tree", "--root", "--no-commit-id", "--name-status", "-r", "-m", "--first-parent", sha], cancellationToken: cancellationToken);
        List<string> added = [], modified = [], removed = [];
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var file = line[(tab + 1)..];
            (line[0] switch { 'A' => added, 'D' => removed, _ => modified }).Add(file);
        }

        return (added, modified, removed);
    }

    /// <summary>Files of the tree at <paramref name="sha"/> (except <paramref name="skip"/>) that contain any of the words: path and word.</summary>
    public async Task<IReadOnlyList<(string File, string Word)>> FindWordsAsync(
        string sha, IReadOnlyCollection<string> words, string skip, CancellationToken cancellationToken)
    {
        if (words.Count == 0)
        {
            return [];
        }

        List<string> arguments = ["grep", "-I", "-F", "-o", "--full-name"];
        foreach (var word in words)
        {
            arguments.Add("-e");
            arguments.Add(word);
        }

        arguments.AddRange([sha, "--", ".", ":(exclude)" + skip]);
        var result = await GitCli.RunAsync(Path, arguments, cancellationToken: cancellationToken);
        if (result.ExitCode == 1)
        {
            return [];
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("git grep failed: " + result.Error.Trim());
        }

        // Lines read "<sha>:<path>:<matched word>".
        var hits = new List<(string, string)>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = line[(sha.Length + 1)..];
            var colon = rest.LastIndexOf(':');
            hits.Add((rest[..colon], rest[(colon + 1)..]));
        }

        return hits;
    }
}

/// <summary>One commit as the push hook and CI see it.</summary>
internal sealed record GitCommit(string Sha, string AuthorName, string AuthorEmail, DateTimeOffset AuthoredAt, string Message)
{
    public string Title => Message.Split('\n')[0];
}
