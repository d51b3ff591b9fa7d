using System.Diagnostics;

/// <summary>git itself as the benchmarks run it: the machine's system and global configuration ignored, a fixed identity and date.</summary>
internal static class GitProcess
{
    /// <summary>Runs git on <paramref name="repository"/>; the exit code and the trimmed output, throwing on anything but <paramref name="allowed"/> exit codes.</summary>
    public static (int ExitCode, string Output) Run(string repository, int[] allowed, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--git-dir=" + repository);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        SetEnvironment(start);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return allowed.Contains(process.ExitCode)
            ? (process.ExitCode, output.Trim())
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
    }

    /// <summary>Runs git on <paramref name="repository"/> and returns its trimmed output; any exit code but 0 throws.</summary>
    public static string Output(string repository, params string[] arguments) => Run(repository, [0], arguments).Output;

    public static void SetEnvironment(ProcessStartInfo start)
    {
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "MergeTrain";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "bot@example.com";
        start.Environment["GIT_AUTHOR_DATE"] = start.Environment["GIT_COMMITTER_DATE"] = "1795428000 +0000";
    }
}
