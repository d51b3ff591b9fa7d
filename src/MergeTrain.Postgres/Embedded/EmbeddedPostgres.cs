using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Embedded;

/// <summary>
/// A private PostgreSQL cluster run from Debian's server programs: created on first start,
/// reused on later ones, listening on 127.0.0.1 only, with a generated password.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "mergetrain";
    private const string PasswordFileName = "postgres.password";

    private readonly string _binDirectory;
    private readonly string _clusterDirectory;
    private readonly ILogger _logger;
    private bool _stopped;

    private EmbeddedPostgres(string binDirectory, string clusterDirectory, int port, string connectionString, ILogger logger)
    {
        _binDirectory = binDirectory;
        _clusterDirectory = clusterDirectory;
        Port = port;
        ConnectionString = connectionString;
        _logger = logger;
    }

    /// <summary>The TCP port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>A connection string to the service's database, password included.</summary>
    public string ConnectionString { get; }

    /// <summary>The cluster's own folder (PostgreSQL's data directory).</summary>
    public string ClusterDirectory => _clusterDirectory;

    /// <summary>
    /// Creates the cluster if <see cref="EmbeddedPostgresOptions.DataDirectory"/> has none, starts it
    /// (or adopts it when a previous run left it running), waits until it accepts connections and
    /// creates the service's database.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var bin = PostgresBinaries.Find(options.BinDirectory);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var cluster = await ClusterDirectoryAsync(dataDirectory, logger, cancellationToken);
        var password = await EnsureClusterAsync(bin, dataDirectory, cluster, logger, cancellationToken);

        var port = await RunningPortAsync(bin, cluster, logger, cancellationToken);
        if (port is { } adopted)
        {
            logger.LogInformation("Embedded PostgreSQL already running on 127.0.0.1:{Port} (data in {ClusterDirectory}); reusing it", adopted, cluster);
        }
        else
        {
            port = await StartServerAsync(bin, cluster, options, cancellationToken);
            logger.LogInformation("Embedded PostgreSQL started on 127.0.0.1:{Port} (data in {ClusterDirectory})", port, cluster);
        }

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port.Value,
            Username = SuperUser,
            Password = password,
            Database = "postgres",
            Pooling = false,
        };
        await WaitUntilAcceptingAsync(admin.ConnectionString, cancellationToken);
        await CreateDatabaseIfMissingAsync(admin.ConnectionString, options.Database, logger, cancellationToken);

        var service = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = options.Database, Pooling = true };
        return new EmbeddedPostgres(bin, cluster, port.Value, service.ConnectionString, logger);
    }

    /// <summary>Creates another database in this cluster and returns a connection string to it (tests use one per test).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await CreateDatabaseIfMissingAsync(admin.ConnectionString, name, _logger, cancellationToken);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server with a fast shutdown (open transactions roll back, data is flushed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        await OsProcess.RunAsServerUserAsync(
            Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", _clusterDirectory, "-m", "fast", "-w", "-t", "60"], null, cancellationToken);
        _logger.LogInformation("Embedded PostgreSQL on port {Port} stopped", Port);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>
    /// The cluster lives in <c>pgdata/</c> under the data directory. As root the server runs as
    /// <c>postgres</c>, which cannot reach a folder under, say, <c>/root</c>: then the cluster goes
    /// under /var/lib/mergetrain instead, named after the data directory, and we say so.
    /// </summary>
    private static async Task<string> ClusterDirectoryAsync(string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var cluster = Path.Combine(dataDirectory, "pgdata");
        if (!OsProcess.IsRoot)
        {
            Directory.CreateDirectory(cluster);
            return cluster;
        }

        var (reachable, _) = await OsProcess.TryRunAsync("runuser", ["-u", OsProcess.ServiceUser, "--", "test", "-x", dataDirectory], null, cancellationToken);
        if (reachable != 0)
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..16];
            cluster = Path.Combine("/var/lib/mergetrain", key, "pgdata");
            logger.LogWarning(
                "The postgres user cannot reach {DataDirectory}; the embedded cluster lives in {ClusterDirectory} instead", dataDirectory, cluster);
        }

        Directory.CreateDirectory(cluster);
        await OsProcess.RunAsync("chown", [$"{OsProcess.ServiceUser}:{OsProcess.ServiceUser}", cluster], null, cancellationToken);
        await OsProcess.RunAsync("chmod", ["0700", cluster], null, cancellationToken);
        return cluster;
    }

    /// <summary>Runs initdb when the cluster does not exist yet; returns the superuser's password.</summary>
    private static async Task<string> EnsureClusterAsync(string bin, string dataDirectory, string cluster, ILogger logger, CancellationToken cancellationToken)
    {
        var passwordFile = Path.Combine(dataDirectory, PasswordFileName);
        if (File.Exists(Path.Combine(cluster, "PG_VERSION")))
        {
            return File.Exists(passwordFile)
                ? (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim()
                : throw new InvalidOperationException(
                    $"The embedded cluster in {cluster} exists but its password file {passwordFile} is missing; restore it or remove the cluster.");
        }

        // The password is saved before initdb runs: a crash in between must not leave a cluster nobody can log in to.
        var password = File.Exists(passwordFile)
            ? (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim()
            : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        logger.LogInformation("Creating the embedded PostgreSQL cluster in {ClusterDirectory}", cluster);

        // initdb reads the password from a file; as root, /dev/stdin is a pipe the server user may not
        // open, so the file lives for the call in a private folder only that user can read.
        var secretDirectory = Directory.CreateTempSubdirectory("mergetrain-initdb-").FullName;
        try
        {
            var pwfile = Path.Combine(secretDirectory, "pwfile");
            await File.WriteAllTextAsync(pwfile, password + "\n", cancellationToken);
            if (OsProcess.IsRoot)
            {
                await OsProcess.RunAsync("chown", ["-R", $"{OsProcess.ServiceUser}:{OsProcess.ServiceUser}", secretDirectory], null, cancellationToken);
            }

            await OsProcess.RunAsServerUserAsync(
                Path.Combine(bin, "initdb"),
                ["-D", cluster, "-U", SuperUser, $"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-instructions"],
                null,
                cancellationToken);
        }
        finally
        {
            Directory.Delete(secretDirectory, recursive: true);
        }

        return password;
    }

    /// <summary>
    /// The port of a server already running on this cluster, or null when none is. After a machine
    /// crash <c>postmaster.pid</c> may name a process id that now belongs to another program:
    /// <c>pg_ctl status</c> (and the server itself) would take the cluster for running. A live
    /// postmaster's working directory is its cluster, so anything else is a stale lock file, which
    /// is removed so that the server can start.
    /// </summary>
    private static async Task<int?> RunningPortAsync(string bin, string cluster, ILogger logger, CancellationToken cancellationToken)
    {
        var (status, _) = await OsProcess.TryRunAsync(
            OsProcess.IsRoot ? "runuser" : Path.Combine(bin, "pg_ctl"),
            OsProcess.IsRoot ? ["-u", OsProcess.ServiceUser, "--", Path.Combine(bin, "pg_ctl"), "status", "-D", cluster] : ["status", "-D", cluster],
            null,
            cancellationToken);
        if (status != 0)
        {
            return null;
        }

        // postmaster.pid: line 1 is the pid, line 4 the port (PostgreSQL's documented lock-file layout).
        var lockFile = Path.Combine(cluster, "postmaster.pid");
        var lines = await File.ReadAllLinesAsync(lockFile, cancellationToken);
        if (lines.Length > 0 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsPostmasterOf(pid, cluster))
        {
            logger.LogWarning("{LockFile} names process {Pid}, which is not this cluster's server (a crash left it); removing it", lockFile, pid);
            File.Delete(lockFile);
            return null;
        }

        return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>Whether process <paramref name="pid"/> is a server whose data directory is <paramref name="cluster"/>.</summary>
    private static bool IsPostmasterOf(int pid, string cluster)
    {
        try
        {
            // The server chdirs into its data directory at start and stays there.
            var cwd = new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
            return cwd is not null && Path.GetFullPath(cwd).TrimEnd('/') == Path.GetFullPath(cluster).TrimEnd('/');
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile, or another user's process we may not inspect: judge by its program.
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains("postgres", StringComparison.Ordinal);
            }
            catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    private static async Task<int> StartServerAsync(string bin, string cluster, EmbeddedPostgresOptions options, CancellationToken cancellationToken)
    {
        // A free port can be taken by someone else between our probe and the server's bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            var settings = string.Create(CultureInfo.InvariantCulture, $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections={options.MaxConnections}");
            if (!options.Durable)
            {
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }

            var pgCtl = Path.Combine(bin, "pg_ctl");
            string[] arguments = ["start", "-D", cluster, "-w", "-t", "60", "-l", Path.Combine(cluster, "server.log"), "-o", settings];
            var (exitCode, output) = OsProcess.IsRoot
                ? await OsProcess.TryRunAsync("runuser", ["-u", OsProcess.ServiceUser, "--", pgCtl, .. arguments], null, cancellationToken)
                : await OsProcess.TryRunAsync(pgCtl, arguments, null, cancellationToken);
            if (exitCode == 0)
            {
                return port;
            }

            if (attempt == 3 || options.Port != 0)
            {
                var log = Path.Combine(cluster, "server.log");
                var tail = File.Exists(log) ? string.Join('\n', (await File.ReadAllLinesAsync(log, cancellationToken)).TakeLast(10)) : "";
                throw new InvalidOperationException($"Embedded PostgreSQL did not start on port {port}: {output}\n{tail}");
            }
        }
    }

    private static async Task WaitUntilAcceptingAsync(string connectionString, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // The server is still starting up (or recovering after a crash).
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(string adminConnectionString, string database, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }

        // CREATE DATABASE takes no parameters: quote the identifier instead.
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Created database {Database}", database);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it between our check and our CREATE: that is what we wanted.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
