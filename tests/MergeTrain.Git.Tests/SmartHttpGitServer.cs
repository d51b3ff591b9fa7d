using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MergeTrain.Git.Tests;

/// <summary>
/// A real smart-HTTP git server on loopback: <see cref="HttpListener"/> in front of
/// <c>git http-backend</c> (CGI), requiring Basic authentication with user <c>oauth2</c> and a token,
/// as GitLab does.
/// </summary>
internal sealed class SmartHttpGitServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly string _token;
    private readonly Task _loop;

    public SmartHttpGitServer(string root, string token)
    {
        _root = root;
        _token = token;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public int Unauthorized { get; private set; }

    public string UrlFor(string repository) => $"http://127.0.0.1:{Port}/{repository}";

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("oauth2:" + _token));
        if (context.Request.Headers["Authorization"] != expected)
        {
            Unauthorized++;
            context.Response.StatusCode = 401;
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"git\"");
            context.Response.Close();
            return;
        }

        var start = new ProcessStartInfo("git", ["http-backend"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var request = context.Request;
        start.Environment["GIT_PROJECT_ROOT"] = _root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["REMOTE_USER"] = "oauth2";
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["REQUEST_METHOD"] = request.HttpMethod;
        start.Environment["PATH_INFO"] = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        start.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? string.Empty;
        if (request.Headers["Content-Encoding"] is { } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Headers["Git-Protocol"] is { } protocol)
        {
            start.Environment["GIT_PROTOCOL"] = protocol;
        }

        using var process = Process.Start(start)!;
        var body = request.InputStream.CopyToAsync(process.StandardInput.BaseStream).ContinueWith(_ => process.StandardInput.Close(), TaskScheduler.Default);
        var error = process.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await body;
        await process.WaitForExitAsync();
        _ = await error;

        // CGI response: headers, a blank line, the body.
        var bytes = output.ToArray();
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var separator = 4;
        if (split < 0)
        {
            split = bytes.AsSpan().IndexOf("\n\n"u8);
            separator = 2;
        }

        var response = context.Response;
        foreach (var line in Encoding.ASCII.GetString(bytes, 0, Math.Max(split, 0)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.AddHeader(name, value);
            }
        }

        var content = split < 0 ? bytes : bytes[(split + separator)..];
        response.ContentLength64 = content.Length;
        await response.OutputStream.WriteAsync(content);
        response.Close();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
