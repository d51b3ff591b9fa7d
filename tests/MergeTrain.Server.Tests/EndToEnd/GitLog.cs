using System.Diagnostics;

namespace MergeTrain.Server.Tests.EndToEnd;

/// <summary>Reads commits from the fake GitLab's repositories with the git command line.</summary>
internal static class GitLog
{
    public static async Task<IReadOnlyList<string>> ParentsAsync(string repository, string commit)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-C", repository, "rev-list", "--parents", "-n", "1", commit })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim().Split(' ').Skip(1).ToList();
    }
}
