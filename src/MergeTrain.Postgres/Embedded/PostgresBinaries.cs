namespace MergeTrain.Postgres.Embedded;

/// <summary>Finds the PostgreSQL server programs of a Debian installation.</summary>
internal static class PostgresBinaries
{
    private const string DebianRoot = "/usr/lib/postgresql";

    public static string Find(string? configured)
    {
        if (configured is not null)
        {
            return HasServerPrograms(configured)
                ? configured
                : throw new PostgresNotInstalledException($"No initdb and pg_ctl in the configured folder {configured}.");
        }

        // Debian installs each major version side by side (/usr/lib/postgresql/15/bin): take the newest.
        var candidates = Directory.Exists(DebianRoot)
            ? Directory.GetDirectories(DebianRoot)
                .Select(dir => (Major: int.TryParse(Path.GetFileName(dir), out var major) ? major : -1, Bin: Path.Combine(dir, "bin")))
                .Where(c => c.Major > 0 && HasServerPrograms(c.Bin))
                .OrderByDescending(c => c.Major)
                .Select(c => c.Bin)
                .ToList()
            : [];
        return candidates.FirstOrDefault()
            ?? throw new PostgresNotInstalledException($"No PostgreSQL server programs under {DebianRoot}.");
    }

    private static bool HasServerPrograms(string bin) =>
        File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl"));
}

/// <summary>The PostgreSQL server programs needed for the embedded database are missing.</summary>
public sealed class PostgresNotInstalledException(string detail) : Exception(
    $"{detail} The embedded database needs Debian's PostgreSQL server: run 'apt-get install -y postgresql', " +
    "or set MergeTrain:ConnectionString to an existing server.");
