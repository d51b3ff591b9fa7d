using System.Reflection;

namespace MergeTrain.Server;

/// <summary>The service's version, as the build stamped it.</summary>
public static class ServiceVersion
{
    /// <summary>The informational version of this assembly.</summary>
    public static string Current { get; } =
        typeof(ServiceVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
