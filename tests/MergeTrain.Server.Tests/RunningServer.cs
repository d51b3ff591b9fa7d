using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MergeTrain.Server.Tests;

/// <summary>The real server on Kestrel, on a free loopback port, with a real HTTP client.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    /// <summary>The server's services, for tests that act as another part of the system would (Hangfire's client).</summary>
    public IServiceProvider Services => _app.Services;

    public static Task<RunningServer> StartAsync(params string[] settings) => StartAsync(null, settings);

    public static async Task<RunningServer> StartAsync(Action<IServiceCollection>? overrideServices, params string[] settings)
    {
        var app = MergeTrainServer.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. settings], overrideServices);
        await app.StartAsync();
        var address = app.Urls.Single();
        return new RunningServer(app, new Uri(address));
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200, and returns its body.</summary>
    public async Task<JsonElement> WaitUntilReadyAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            using var response = await Client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/readyz still {(int)response.StatusCode} after {limit}: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        var connectionString = _app.Configuration["MergeTrain:ConnectionString"];
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!string.IsNullOrEmpty(connectionString))
        {
            await CloseLeftListenersAsync(connectionString);
        }
    }

    // Hangfire.PostgreSql's long polling holds a LISTEN connection per worker that its server's
    // shutdown does not close; a process ends them, but in a test process, server after server,
    // they would use up the test cluster's connections ("too many clients"). Only those go.
    private static async Task CloseLeftListenersAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle' AND query LIKE 'LISTEN %'
                """, connection);
            await command.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            // A database that was never reachable has nothing left to close.
        }
    }
}
