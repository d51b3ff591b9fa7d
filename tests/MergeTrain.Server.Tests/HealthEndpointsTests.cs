using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MergeTrain.Postgres.Migrations;
using MergeTrain.Testing;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests;

public class HealthEndpointsTests
{
    [Test]
    public async Task With_a_configured_database_the_server_migrates_it_registers_itself_and_reports_ready()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = TestDirectory.CreateShared("mergetrain-server-");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        // Hangfire's server list: the id begins with the ServerName MergeTrain gives it, host:pid.
        async Task<IReadOnlyList<string>> ServersAsync()
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            return (await connection.QueryAsync<string>("SELECT id FROM hangfire.server WHERE id LIKE @prefix",
                new { prefix = $"{Environment.MachineName.ToLowerInvariant()}:{Environment.ProcessId}%" })).AsList();
        }

        await using (var server = await RunningServer.StartAsync($"--MergeTrain:ConnectionString={connectionString}", $"--MergeTrain:DataDirectory={dataDirectory}"))
        {
            var ready = await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));

            ready.GetProperty("status").GetString().ShouldBe("ready");
            ready.GetProperty("schemaVersion").GetInt32().ShouldBe(Migration.Service[^1].Version);
            (await server.Client.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("status").GetString().ShouldBe("ok");
            (await WaitForAsync(ServersAsync, list => list.Count == 1)).ShouldHaveSingleItem("this instance's Hangfire server registered itself");
        }

        (await ServersAsync()).ShouldBeEmpty("a clean shutdown removes the server's row");
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Test]
    public async Task While_the_database_is_unreachable_the_server_is_live_but_not_ready_and_answers_requests_503()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none;Timeout=2";

        await using var server = await RunningServer.StartAsync(
            $"--MergeTrain:ConnectionString={unreachable}",
            "--MergeTrain:ApiTokens:0:Name=ops", "--MergeTrain:ApiTokens:0:Token=ops-token-for-tests", "--MergeTrain:ApiTokens:0:Role=admin",
            "--MergeTrain:Projects:0:Id=42", "--MergeTrain:Projects:0:Path=acme/widgets", "--MergeTrain:Projects:0:GitLabUrl=http://127.0.0.1:1",
            "--MergeTrain:Projects:0:GitLabToken=glpat-unused", "--MergeTrain:Projects:0:WebhookSecret=secret", "--MergeTrain:Projects:0:RepositoryUrl=/nonexistent");

        (await server.Client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var readiness = await WaitForAsync(
            async () => await server.Client.GetAsync("/readyz"),
            response => response.StatusCode == HttpStatusCode.ServiceUnavailable);
        var body = await readiness.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().ShouldBe("starting");
        body.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("waiting for the database");

        // An add sent now is told to come back, not that the server broke.
        using var add = new HttpRequestMessage(HttpMethod.Post, "/api/v4/projects/42/merge_trains/merge_requests/1");
        add.Headers.Add("PRIVATE-TOKEN", "ops-token-for-tests");
        using var answer = await server.Client.SendAsync(add);
        answer.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString().ShouldNotBeNull().ShouldContain("not ready");
    }

    [Test]
    public async Task With_no_configuration_the_server_runs_its_own_postgres_in_the_data_directory_and_stops_it()
    {
        var dataDirectory = TestDirectory.CreateShared("mergetrain-embedded-server-");
        string detail;

        await using (var server = await RunningServer.StartAsync($"--MergeTrain:DataDirectory={dataDirectory}"))
        {
            var ready = await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            detail = ready.GetProperty("detail").GetString()!;
            File.Exists(Path.Combine(dataDirectory, "postgres", "pgdata", "PG_VERSION")).ShouldBeTrue();
            File.Exists(Path.Combine(dataDirectory, "postgres", "pgdata", "postmaster.pid")).ShouldBeTrue();
        }

        detail.ShouldStartWith("127.0.0.1:");
        File.Exists(Path.Combine(dataDirectory, "postgres", "pgdata", "postmaster.pid")).ShouldBeFalse("the embedded server was stopped with the service");
        Directory.Delete(dataDirectory, recursive: true);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
