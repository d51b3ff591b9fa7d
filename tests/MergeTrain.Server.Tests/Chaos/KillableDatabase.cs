using System.Globalization;
using MergeTrain.Postgres.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MergeTrain.Server.Tests.Chaos;

/// <summary>
/// A PostgreSQL cluster of the chaos run's own (the product's <see cref="EmbeddedPostgres"/>, not
/// the shared test cluster), durable, on a fixed port so that the services' connection string stays
/// valid: its postmaster is killed with SIGKILL and started again on the same data directory.
/// </summary>
internal sealed class KillableDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _options;
    private EmbeddedPostgres _server;

    private KillableDatabase(EmbeddedPostgresOptions options, EmbeddedPostgres server, string connectionString)
    {
        _options = options;
        _server = server;
        ConnectionString = connectionString;
    }

    /// <summary>The chaos run's database (password included; test-only).</summary>
    public string ConnectionString { get; }

    public bool IsRunning { get; private set; } = true;

    public static async Task<KillableDatabase> StartAsync(string directory)
    {
        // A port of our own, probed once and kept: the services keep their connection string.
        var options = new EmbeddedPostgresOptions
        {
            DataDirectory = directory,
            Port = FreePort(),
            // fsync on: a SIGKILL of the postmaster must not lose a commit it acknowledged.
            Durable = true,
            MaxConnections = 300,
        };
        var server = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        var connectionString = await server.CreateDatabaseAsync("chaos", CancellationToken.None);
        return new KillableDatabase(options, server, connectionString);
    }

    /// <summary>
    /// SIGKILL to the postmaster (the pid in <c>postmaster.pid</c>) and to its backends, as a
    /// crash of the database machine's server would leave it: no checkpoint, no clean shutdown.
    /// </summary>
    public async Task KillAsync()
    {
        var lockFile = Path.Combine(_server.ClusterDirectory, "postmaster.pid");
        var pid = int.Parse(File.ReadLines(lockFile).First(), NumberStyles.None, CultureInfo.InvariantCulture);
        var backends = Children(pid);
        Kill(pid);
        foreach (var backend in backends)
        {
            Kill(backend);
        }

        IsRunning = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((Directory.Exists($"/proc/{pid}") || backends.Any(b => Directory.Exists($"/proc/{b}"))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server again on the same data directory and port; PostgreSQL replays its WAL.</summary>
    public async Task RestartAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                _server = await EmbeddedPostgres.StartAsync(_options, NullLogger.Instance, CancellationToken.None);
                IsRunning = true;
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // A backend of the killed server still holding the shared memory, or the port in TIME_WAIT.
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            await _server.StopAsync(CancellationToken.None);
        }
    }

    private static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return children;
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
