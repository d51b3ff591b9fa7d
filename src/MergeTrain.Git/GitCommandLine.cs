using System.Diagnostics;
using System.Text;

namespace MergeTrain.Git;

/// <summary>
/// Runs git itself on a bare repository: the fallback that is equal to git by construction.
/// The machine's system and global configuration are ignored so that the service's merges do not
/// depend on what an operator configured for their own use of git.
/// </summary>
internal static class GitCommandLine
{
    public static (int ExitCode, string Output, string Error) Run(string gitDirectory, params string[] arguments) =>
        Run(gitDirectory, null, arguments);

    /// <summary>
    /// Runs git; with <paramref name="objectDirectory"/>, git reads and writes objects there and reads
    /// the repository's own objects (and their alternates) as an alternate.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(string gitDirectory, string? objectDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--git-dir=" + gitDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment.Remove("GIT_DIR");
        start.Environment.Remove("GIT_WORK_TREE");
        start.Environment.Remove("GIT_INDEX_FILE");
        start.Environment.Remove("GIT_OBJECT_DIRECTORY");
        start.Environment.Remove("GIT_ALTERNATE_OBJECT_DIRECTORIES");
        if (objectDirectory is not null)
        {
            start.Environment["GIT_OBJECT_DIRECTORY"] = objectDirectory;
            start.Environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = System.IO.Path.Combine(gitDirectory, "objects");
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("git could not be started; is it installed (apt-get install -y git)?");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// <c>git merge-tree --write-tree</c> of two commits: the tree id when clean, else the
    /// conflicting paths. Anything but "clean" or "conflicts" (exit 0 or 1) throws.
    /// </summary>
    public static (bool Clean, string Tree, IReadOnlyList<string> ConflictPaths) MergeTree(string gitDirectory, string ours, string theirs, string? objectDirectory = null)
    {
        var (exitCode, output, error) = Run(gitDirectory, objectDirectory, "merge-tree", "--write-tree", "-z", "--name-only", ours, theirs);
        if (exitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"git merge-tree {ours} {theirs} exited {exitCode}: {error.Trim()}");
        }

        // -z output: <tree> NUL, then (on conflict) one path per NUL, an empty entry, then messages.
        var fields = output.Split('\0');
        var paths = new List<string>();
        if (exitCode == 1)
        {
            for (var i = 1; i < fields.Length && fields[i].Length > 0; i++)
            {
                paths.Add(fields[i]);
            }
        }

        return (exitCode == 0, fields[0].Trim(), paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
    }
}
