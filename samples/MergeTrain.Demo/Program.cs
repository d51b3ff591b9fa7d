using System.Runtime.InteropServices;
using MergeTrain.Demo;
using Microsoft.Extensions.Logging;

// dotnet run --project samples/MergeTrain.Demo -- --urls http://127.0.0.1:8080 [--Demo:Enabled=false] [--Demo:Pace=0.5]
using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
{
    // The server's console format, so that the demo's lines and the server's read as one log.
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
}));
var logger = loggerFactory.CreateLogger("MergeTrain.Demo");

// Ctrl+C and SIGTERM end the demo cleanly: the traffic stops, then the server and its embedded
// PostgreSQL, then the fake GitLab. The signal is cancelled so that the process lives until then.
using var stopping = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

try
{
    var options = DemoOptions.From(args);
    await using var demo = await DemoWorld.StartAsync(options, loggerFactory, stopping.Token);
    Console.WriteLine($"""

        MergeTrain demo
          dashboard:    {demo.DashboardUrl}
          admin token:  {demo.AdminToken}   (new at every run; log in with it, or send it as PRIVATE-TOKEN)
          trains API:   {new Uri(demo.BaseAddress, $"api/v4/projects/{DemoProject.Id}/merge_trains")}
          fake GitLab:  {demo.GitLab.ApiUrl} (project {DemoProject.Path}, id {DemoProject.Id}; token {demo.GitLab.Token})
          data:         {demo.DataDirectory} (reset at every start)
          {(options.Enabled ? "Scenario B plays now, then merge requests keep coming." : "Demo traffic off (Demo:Enabled=false).")} Ctrl+C stops everything.

        """);
    await demo.WaitForShutdownAsync(stopping.Token);
    logger.LogInformation("Stopping the demo");
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    logger.LogInformation("Stopped while starting");
}
catch (Exception error) when (error is DemoDataDirectoryException or ArgumentException or InvalidOperationException or TimeoutException)
{
    logger.LogCritical("The demo could not start: {Reason}", error.Message);
    return 1;
}

logger.LogInformation("Demo stopped");
return Environment.ExitCode;
