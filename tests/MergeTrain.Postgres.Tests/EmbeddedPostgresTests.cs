using MergeTrain.Postgres.Embedded;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests;

public class EmbeddedPostgresTests
{
    private string _dataDirectory = null!;

    [SetUp]
    public void SetUp() => _dataDirectory = TestDirectory.CreateShared("mergetrain-embedded-");

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDirectory, recursive: true);

    [Test]
    public async Task A_cluster_is_created_started_stopped_and_reused_with_its_data()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = _dataDirectory, Durable = false };

        await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
        {
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
            File.Exists(Path.Combine(first.ClusterDirectory, "PG_VERSION")).ShouldBeTrue();
            await first.StopAsync(CancellationToken.None);
            await Should.ThrowAsync<NpgsqlException>(() => ExecuteAsync(first.ConnectionString, "SELECT 1"));
        }

        await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        (await ScalarAsync(second.ConnectionString, "SELECT value FROM kept")).ShouldBe("still here");
        (await ScalarAsync(second.ConnectionString, "SELECT current_database()")).ShouldBe("mergetrain");
        (await ScalarAsync(second.ConnectionString, "SHOW listen_addresses")).ShouldBe("127.0.0.1");
    }

    [Test]
    public async Task A_server_left_running_by_a_previous_process_is_adopted()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = _dataDirectory, Durable = false };
        var running = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        await using var adopted = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        adopted.Port.ShouldBe(running.Port);
        (await ScalarAsync(adopted.ConnectionString, "SELECT 'reachable'")).ShouldBe("reachable");
    }

    [Test]
    public async Task A_stale_lock_file_naming_a_live_process_of_another_program_does_not_pass_for_a_running_server()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = _dataDirectory, Durable = false };
        string cluster;
        int port;
        await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
        {
            cluster = first.ClusterDirectory;
            port = first.Port;
        }

        // What a machine crash leaves: the server's lock file, its pid now reused by a live
        // process of another program (here: this test process).
        var lockFile = Path.Combine(cluster, "postmaster.pid");
        await File.WriteAllLinesAsync(lockFile, [Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cluster, "1700000000", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "", "127.0.0.1", "0 0", "ready"]);
        if (Environment.UserName == "root")
        {
            File.SetUnixFileMode(lockFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            System.Diagnostics.Process.Start("chown", ["postgres:postgres", lockFile])!.WaitForExit();
        }

        await using var restarted = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        (await ScalarAsync(restarted.ConnectionString, "SELECT 'reachable'")).ShouldBe("reachable");
        var pid = int.Parse((await File.ReadAllLinesAsync(lockFile))[0], System.Globalization.CultureInfo.InvariantCulture);
        pid.ShouldNotBe(Environment.ProcessId, "a real server wrote its own lock file");
    }

    [Test]
    public async Task The_password_is_never_trust_and_a_wrong_one_is_refused()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = _dataDirectory, Durable = false };
        await using var server = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = "not-the-password" };

        var error = await Should.ThrowAsync<PostgresException>(() => ExecuteAsync(wrong.ConnectionString, "SELECT 1"));

        error.SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
    }

    [Test]
    public async Task Missing_server_programs_are_reported_with_the_package_to_install()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = _dataDirectory, BinDirectory = _dataDirectory };

        var error = await Should.ThrowAsync<PostgresNotInstalledException>(
            () => EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None));

        error.Message.ShouldContain("apt-get install -y postgresql");
    }

    [Test]
    public async Task As_root_a_data_directory_the_postgres_user_cannot_reach_gets_its_cluster_elsewhere()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "only root hands the server to the postgres user");
        var privateDirectory = Path.Combine(_dataDirectory, "private");
        Directory.CreateDirectory(privateDirectory);
        File.SetUnixFileMode(privateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new EmbeddedPostgresOptions { DataDirectory = privateDirectory, Durable = false };

        var server = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        try
        {
            server.ClusterDirectory.ShouldStartWith("/var/lib/mergetrain/");
            (await ScalarAsync(server.ConnectionString, "SELECT 'reachable'")).ShouldBe("reachable");
            File.Exists(Path.Combine(privateDirectory, "postgres.password")).ShouldBeTrue();
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
            Directory.Delete(Path.GetDirectoryName(server.ClusterDirectory)!, recursive: true);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
