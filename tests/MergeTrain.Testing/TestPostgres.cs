using MergeTrain.Postgres.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace MergeTrain.Testing;

/// <summary>
/// One real PostgreSQL cluster per test process, started through the product's own
/// <see cref="EmbeddedPostgres"/>; each test takes a fresh database of its own.
/// </summary>
public static class TestPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgres? _server;
    private static string? _directory;

    /// <summary>The running cluster; started on first use.</summary>
    public static async Task<EmbeddedPostgres> ServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is null)
            {
                _directory = TestDirectory.CreateShared("mergetrain-test-pg-");
                _server = await EmbeddedPostgres.StartAsync(
                    new EmbeddedPostgresOptions { DataDirectory = _directory, Durable = false, MaxConnections = 1000 },
                    NullLogger.Instance,
                    CancellationToken.None);
            }

            return _server;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Creates an empty database for one test and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await ServerAsync();
        return await server.CreateDatabaseAsync("test_" + Guid.NewGuid().ToString("N")[..12], CancellationToken.None);
    }

    /// <summary>Stops the cluster and removes its files; call once when the test run ends.</summary>
    public static async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        await _server.StopAsync(CancellationToken.None);
        _server = null;
        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temp cleaning; a failed delete must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
