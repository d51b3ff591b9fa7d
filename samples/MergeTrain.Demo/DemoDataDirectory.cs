using MergeTrain.Postgres.Embedded;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Demo;

/// <summary>
/// Resets the demo's data directory at start. The fake GitLab lives in memory and is new at every
/// run: merge request !1 and pipeline #1000 of this run are not those of the last one. Whatever the
/// service remembers of the last run describes a GitLab that is gone: its bare repository (unrelated
/// history), but also its database (cars still "running" whose pipeline ids and iids the new fake
/// GitLab hands out again, so old cars would pick up new pipelines' results and block the new MRs
/// with "already on a train"). A fresh project id per run would leave the bare repository alone but
/// not that: the database keeps the old trains, and <c>projects.path</c> is unique, so a new id
/// cannot take the stable path <c>demo/shop</c>. So the demo keeps the embedded cluster (no initdb
/// at every start), drops the service's database in it and deletes the project's bare repository.
/// It only ever does that to a directory it created, which it marks with <see cref="MarkerFileName"/>.
/// </summary>
public static class DemoDataDirectory
{
    /// <summary>The file that says a data directory is the demo's and may be reset.</summary>
    public const string MarkerFileName = "DEMO-DATA-DIRECTORY.txt";

    /// <summary>Where the fake GitLab keeps its bare repositories, under the data directory.</summary>
    public const string GitLabFolder = "demo-gitlab";

    // The server's layout (DatabaseStartup, ProjectRepositorySettings): the embedded cluster's folder
    // and the bare repositories.
    private const string PostgresFolder = "postgres";
    private const string RepositoriesFolder = "repositories";

    /// <summary>Creates or resets <paramref name="dataDirectory"/> for a new run; returns its full path.</summary>
    /// <exception cref="DemoDataDirectoryException">The directory holds data the demo did not create.</exception>
    public static async Task<string> ResetAsync(string dataDirectory, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var root = Path.GetFullPath(dataDirectory);
        var marker = Path.Combine(root, MarkerFileName);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any() && !File.Exists(marker))
        {
            throw new DemoDataDirectoryException(
                $"{root} holds data the demo did not create (no {MarkerFileName} in it), and the demo resets its data directory " +
                "at every start. Give the demo a folder of its own: --MergeTrain:DataDirectory=<folder>.");
        }

        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(
            marker,
            "This data directory belongs to the MergeTrain demo (samples/MergeTrain.Demo), which resets it at every start.\n",
            cancellationToken);

        var logger = loggerFactory.CreateLogger(typeof(DemoDataDirectory).FullName!);
        var postgres = Path.Combine(root, PostgresFolder);
        if (Directory.Exists(postgres))
        {
            await DropServiceDatabaseAsync(postgres, loggerFactory, cancellationToken);
            logger.LogInformation("Reset the demo's data directory {DataDirectory}: the last run's database is gone", root);
        }

        DeleteIfExists(Path.Combine(root, RepositoriesFolder, $"{DemoProject.Id}.git"));
        DeleteIfExists(Path.Combine(root, GitLabFolder));
        return root;
    }

    private static async Task DropServiceDatabaseAsync(string postgresDirectory, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // The same cluster and database the server will use (its defaults); starting it here also
        // adopts a server a killed run may have left running.
        var options = new EmbeddedPostgresOptions { DataDirectory = postgresDirectory };
        await using var cluster = await EmbeddedPostgres.StartAsync(options, loggerFactory.CreateLogger<EmbeddedPostgres>(), cancellationToken);
        var admin = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        // DROP DATABASE takes no parameters: quote the identifier instead.
        var quoted = "\"" + options.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // The only input is the quoted name of the server's own database.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", connection);
#pragma warning restore CA2100
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void DeleteIfExists(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
