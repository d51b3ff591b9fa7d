using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

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

    /// <summary>The running host's services (its Hangfire client and storage, say).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(params string[] settings)
    {
        var app = MergeTrainServer.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. settings]);
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
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
