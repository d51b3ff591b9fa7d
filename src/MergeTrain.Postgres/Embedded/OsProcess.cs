using System.Diagnostics;

namespace MergeTrain.Postgres.Embedded;

/// <summary>
/// Runs PostgreSQL's programs. They refuse to run as root, so as root they run as the
/// <c>postgres</c> user through <c>runuser</c>, which Debian's postgresql package creates.
/// </summary>
internal static class OsProcess
{
    public const string ServiceUser = "postgres";

    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>Runs <paramref name="program"/> as the server's user and returns its output; throws on a non-zero exit.</summary>
    public static async Task<string> RunAsServerUserAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        return IsRoot
            ? await RunAsync("runuser", ["-u", ServiceUser, "--", program, .. arguments], standardInput, cancellationToken)
            : await RunAsync(program, arguments, standardInput, cancellationToken);
    }

    /// <summary>Runs a program and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> TryRunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The server's programs must not inherit the caller's locale or libpq settings.
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("PGDATA");
        start.Environment.Remove("PGPORT");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await output + await error).Trim());
    }

    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await TryRunAsync(program, arguments, standardInput, cancellationToken);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }
}
