using System.Diagnostics;

namespace MergeTrain.FakeGitLab.Tests;

/// <summary>Runs the git command line the way the service would, in a working folder.</summary>
internal static class GitProcess
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        startInfo.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        startInfo.Environment["GIT_AUTHOR_NAME"] = "Merge Train";
        startInfo.Environment["GIT_AUTHOR_EMAIL"] = "train@example.com";
        startInfo.Environment["GIT_COMMITTER_NAME"] = "Merge Train";
        startInfo.Environment["GIT_COMMITTER_EMAIL"] = "train@example.com";
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        return (process.ExitCode, (await output).Trim(), (await error).Trim());
    }

    public static async Task<string> CheckedAsync(string workingDirectory, params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(workingDirectory, arguments);

        return exitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }
}
