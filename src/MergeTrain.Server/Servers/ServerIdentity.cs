using System.Reflection;

namespace MergeTrain.Server.Servers;

/// <summary>Who this process is among the service's instances: Hangfire-style "host:pid:random".</summary>
public sealed class ServerIdentity
{
    /// <summary>A new identity for this process.</summary>
    public ServerIdentity(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Hostname = Environment.MachineName;
        ProcessId = Environment.ProcessId;
        Id = $"{Hostname}:{ProcessId}:{Guid.NewGuid():N}";
        StartedAt = clock.GetUtcNow();
    }

    /// <summary>Unique among all instances, past and present.</summary>
    public string Id { get; }

    /// <summary>The machine's name.</summary>
    public string Hostname { get; }

    /// <summary>The operating system's process id.</summary>
    public int ProcessId { get; }

    /// <summary>When this process started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The service's version, from the assembly.</summary>
    public static string Version { get; } =
        typeof(ServerIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
