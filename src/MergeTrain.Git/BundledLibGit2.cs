using System.Reflection;
using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace MergeTrain.Git;

/// <summary>
/// The libgit2 that LibGit2Sharp's native-binaries package bundles (1.8.6), loaded as LibGit2Sharp
/// itself loads it; <see cref="NativeRepository"/>'s direct calls are bound to that very copy (ADR 0006).
/// </summary>
/// <remarks>
/// LibGit2Sharp finds its library by name in the application's <c>runtimes/&lt;rid&gt;/native</c>
/// folder. A resolver on this assembly hands our own imports the handle found the same way, from
/// LibGit2Sharp's assembly, once libgit2's initialisation counter has shown it to be the copy
/// LibGit2Sharp initialised: two copies in one process would each have their own global state.
/// </remarks>
public static partial class BundledLibGit2
{
    /// <summary>
    /// LibGit2Sharp.NativeBinaries 2.0.324's name for libgit2 (<c>libgit2-5853918.so</c>, after the
    /// libgit2 commit it was built from); it changes with each release of that package.
    /// </summary>
    public const string LibraryName = "git2-5853918";

    private static readonly Lock Gate = new();
    private static IntPtr _handle;

    /// <summary>libgit2's own version, as the loaded library reports it.</summary>
    public static System.Version Version
    {
        get
        {
            EnsureLoaded();
            _ = git_libgit2_version(out var major, out var minor, out var revision);
            return new System.Version(major, minor, revision);
        }
    }

    /// <summary>Loads LibGit2Sharp's libgit2 once and binds this assembly's direct calls to it.</summary>
    /// <exception cref="LibGit2NotLoadedException">The library is missing, or is not LibGit2Sharp's copy.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return;
            }

            _handle = Load(LibraryName);
            NativeLibrary.SetDllImportResolver(typeof(BundledLibGit2).Assembly, Resolve);
        }
    }

    /// <summary>Finds <paramref name="libraryName"/> as LibGit2Sharp does, and checks it is the copy LibGit2Sharp uses.</summary>
    internal static unsafe IntPtr Load(string libraryName)
    {
        var libGit2Sharp = typeof(Repository).Assembly;
        try
        {
            // Reading the features runs LibGit2Sharp's native set-up: it loads and initialises its libgit2.
            _ = GlobalSettings.Version.Features;
        }
        catch (Exception error) when (error is TypeInitializationException or DllNotFoundException)
        {
            throw new LibGit2NotLoadedException(LibraryName, "LibGit2Sharp could not load it", error);
        }

        // Without a search path of our own, the probing is the one LibGit2Sharp's own imports get
        // (its assembly's DllImportSearchPath); resolvers are not consulted here.
        if (!NativeLibrary.TryLoad(libraryName, libGit2Sharp, searchPath: null, out var handle))
        {
            throw new LibGit2NotLoadedException(libraryName, "it is not where LibGit2Sharp finds its library", innerException: null);
        }

        // git_libgit2_init returns how many times this copy has been initialised: LibGit2Sharp did
        // it first, so 1 would mean a second copy, whose objects LibGit2Sharp's could not share.
        var initialisations = ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "git_libgit2_init"))();
        if (initialisations < 2)
        {
            throw new LibGit2NotLoadedException(libraryName, $"it is not the copy LibGit2Sharp initialised (git_libgit2_init returned {initialisations})", innerException: null);
        }

        return handle;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? _handle : IntPtr.Zero;

    [LibraryImport(LibraryName)]
    private static partial int git_libgit2_version(out int major, out int minor, out int revision);
}

/// <summary>The libgit2 bundled with LibGit2Sharp could not be loaded, or not as the copy LibGit2Sharp uses.</summary>
public sealed class LibGit2NotLoadedException(string libraryName, string reason, Exception? innerException) : Exception(
    $"libgit2 could not be loaded: {reason}. MergeTrain uses the lib{libraryName}.so of the " +
    $"LibGit2Sharp.NativeBinaries package, under runtimes/<rid>/native/ in {AppContext.BaseDirectory}; " +
    "restore and build again, and keep the runtimes folder when copying or publishing the application.",
    innerException);
