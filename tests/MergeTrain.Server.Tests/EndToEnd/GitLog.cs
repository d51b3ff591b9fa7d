using System.Diagnostics;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>Reads commits and refs from bare repositories (the fake GitLab's or the service's) with the git command line.</summary>
internal static class GitLog
{
    public static async Task<IReadOnlyList<string>> ParentsAsync(string repository, string commit)
    {
        var (output, _) = await RunAsync(repository, "rev-list", "--parents", "-n", "1", commit);
        return output.Trim().Split(' ').Skip(1).ToList();
    }

    /// <summary>The commit a ref points at, or null when the ref does not exist.</summary>
    public static async Task<string?> ResolveAsync(string repository, string reference)
    {
        var (output, exitCode) = await RunAsync(repository, "rev-parse", "--verify", "--quiet", reference + "^{commit}");
        return exitCode == 0 ? output.Trim() : null;
    }

    /// <summary>The first-parent history of a revision, newest first.</summary>
    public static async Task<IReadOnlyList<string>> FirstParentHistoryAsync(string repository, string revision)
    {
        var (output, _) = await RunAsync(repository, "rev-list", "--first-parent", revision);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The merge base of two commits.</summary>
    public static async Task<string> MergeBaseAsync(string repository, string one, string two) =>
        (await RunAsync(repository, "merge-base", one, two)).Output.Trim();

    /// <summary>The commits <paramref name="head"/> has and <paramref name="from"/> has not, newest first: id, number of parents, subject.</summary>
    public static async Task<IReadOnlyList<(string Sha, int Parents, string Subject)>> RangeAsync(string repository, string from, string head)
    {
        var (output, _) = await RunAsync(repository, "log", "--format=%H %P%x09%s", $"{from}..{head}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                var (ids, subject) = (line[..line.IndexOf('\t', StringComparison.Ordinal)], line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
                var parts = ids.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (parts[0], parts.Length - 1, subject);
            })
            .ToList();
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="commit"/> or one of its ancestors.</summary>
    public static async Task<bool> IsAncestorAsync(string repository, string ancestor, string commit) =>
        (await RunAsync(repository, "merge-base", "--is-ancestor", ancestor, commit)).ExitCode == 0;

    /// <summary>Sets a git configuration value of the repository.</summary>
    public static async Task SetConfigAsync(string repository, string key, string value)
    {
        var (output, exitCode) = await RunAsync(repository, "config", key, value);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"git config {key} failed: {output}");
        }
    }

    public static async Task<string> MessageAsync(string repository, string commit)
    {
        var (output, _) = await RunAsync(repository, "log", "-1", "--format=%B", commit);
        return output.TrimEnd();
    }

    private static async Task<(string Output, int ExitCode)> RunAsync(string repository, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-C");
        start.ArgumentList.Add(repository);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await error;
        return (await output, process.ExitCode);
    }
}
