using System.Runtime.InteropServices;
using System.Runtime.Loader;
using LibGit2Sharp;

namespace MergeTrain.Git;

/// <summary>
/// Binds LibGit2Sharp 0.29.0 to the system's libgit2 (Debian's <c>libgit2-1.5</c>), because the
/// package's own native binaries are not available from our package source (ADR 0003).
/// </summary>
/// <remarks>
/// LibGit2Sharp asks for a library named after the libgit2 commit it was built against
/// (<c>git2-a2bde63</c>). Its own resolver probes only its package layout and then gives up,
/// after which the runtime raises <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/>: there
/// we hand it the system library. The library is loaded eagerly by <see cref="EnsureLoaded()"/> so
/// that a missing package fails with an actionable message instead of a TypeInitializationException
/// deep inside LibGit2Sharp.
/// </remarks>
public static class LibGit2Native
{
    /// <summary>The Debian package that provides the library we bind to.</summary>
    public const string DebianPackage = "libgit2-1.5";

    /// <summary>Sonames tried in order; the first is the one our ABI tests cover.</summary>
    public static readonly IReadOnlyList<string> DefaultLibraryNames = ["libgit2.so.1.5"];

    private static readonly Lock Gate = new();
    private static IntPtr _handle;

    /// <summary>Loads the system libgit2 once and routes LibGit2Sharp's native calls to it.</summary>
    /// <exception cref="LibGit2NotInstalledException">No candidate library could be loaded.</exception>
    public static void EnsureLoaded() => EnsureLoaded(DefaultLibraryNames);

    /// <summary>As <see cref="EnsureLoaded()"/>, with the candidate library names given.</summary>
    public static void EnsureLoaded(IReadOnlyList<string> libraryNames)
    {
        ArgumentNullException.ThrowIfNull(libraryNames);
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return;
            }

            _handle = Load(libraryNames);
            var libGit2Sharp = typeof(Repository).Assembly;
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
                ReferenceEquals(assembly, libGit2Sharp) && name.StartsWith("git2", StringComparison.Ordinal)
                    ? _handle
                    : IntPtr.Zero;
        }
    }

    /// <summary>Loads the first library of <paramref name="libraryNames"/> that exists.</summary>
    /// <exception cref="LibGit2NotInstalledException">None of them could be loaded.</exception>
    public static IntPtr Load(IReadOnlyList<string> libraryNames)
    {
        ArgumentNullException.ThrowIfNull(libraryNames);
        foreach (var name in libraryNames)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return handle;
            }
        }

        throw new LibGit2NotInstalledException(libraryNames);
    }
}

/// <summary>The system libgit2 that MergeTrain needs is not installed.</summary>
public sealed class LibGit2NotInstalledException(IReadOnlyList<string> triedNames) : Exception(
    $"libgit2 could not be loaded (tried {string.Join(", ", triedNames)}). " +
    $"MergeTrain needs Debian's {LibGit2Native.DebianPackage}: run 'apt-get install -y {LibGit2Native.DebianPackage}'.");
