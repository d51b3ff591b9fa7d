using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MergeTrain.Server.Tests.EndToEnd;

namespace MergeTrain.Server.Tests.Chaos;

/// <summary>
/// One MergeTrain service as a process of its own, on a port and a data directory it keeps across
/// restarts (so that GitLab's webhook keeps pointing at it), killed with SIGKILL and started again.
/// Its output goes to a log file, shown when the run fails.
/// </summary>
internal sealed class ServiceInstance : IDisposable
{
    private readonly string[] _settings;
    private readonly Lock _gate = new();
    private Process? _process;
    private bool _killed;
    private StreamWriter? _log;

    public ServiceInstance(string name, string dataDirectory, string[] settings)
    {
        Name = name;
        DataDirectory = dataDirectory;
        _settings = settings;
        Port = FreePort();
        Address = new Uri($"http://127.0.0.1:{Port}");
        LogFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $"{name}.log");
        Api = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TrainWorld.AdminToken);
    }

    public string Name { get; }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Address { get; }

    public string LogFile { get; }

    /// <summary>The service's API as an admin; fails while the process is down.</summary>
    public HttpClient Api { get; }

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>How many times the process ended without being killed by the test.</summary>
    public int UnexpectedExits { get; private set; }

    public void Start()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                return;
            }

            if (_process is { HasExited: true, ExitCode: not 137 and not -1 } exited && !_killed)
            {
                UnexpectedExits++;
                Write(_log, $"[chaos] {Name} exited on its own with code {exited.ExitCode}");
            }

            _process?.Dispose();
            _log ??= new StreamWriter(LogFile, append: true) { AutoFlush = true };
            Write(_log, $"[chaos] {DateTime.UtcNow:HH:mm:ss.fff} starting {Name}");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MergeTrain.Server.dll"));
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{Port}");
            start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
            foreach (var setting in _settings)
            {
                start.ArgumentList.Add(setting);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start");
            var log = _log;
            // Drained so that a chatty server never blocks on a full pipe.
            process.OutputDataReceived += (_, line) => Write(log, line.Data);
            process.ErrorDataReceived += (_, line) => Write(log, line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            _killed = false;
        }
    }

    /// <summary>SIGKILL, as the kernel's OOM killer or a power cut would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            if (process is null || process.HasExited)
            {
                return;
            }

            _killed = true;
            Write(_log, $"[chaos] {DateTime.UtcNow:HH:mm:ss.fff} SIGKILL {Name}");
            process.Kill();
        }

        await process.WaitForExitAsync();
    }

    /// <summary>Whether <c>/readyz</c> answers 200 now.</summary>
    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Api.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The last lines of the instance's log, for a failure message.</summary>
    public string Tail(int lines)
    {
        lock (_gate)
        {
            _log?.Flush();
        }

        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process?.Dispose();
            _log?.Dispose();
            _log = null;
        }

        Api.Dispose();
    }

    private static void Write(StreamWriter? log, string? line)
    {
        if (log is null || line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The run is over.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
