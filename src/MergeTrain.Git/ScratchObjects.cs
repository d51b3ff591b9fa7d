using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace MergeTrain.Git;

/// <summary>
/// A private loose-object directory for the throw-away objects of the fast path's file merges: the
/// synthetic commits and trees it hands to <c>git merge-tree</c>, and the trees git writes back.
/// git runs with it as its object directory and the repository's own objects as an alternate, so
/// only the merged blobs worth keeping are copied into the repository.
/// </summary>
/// <remarks>
/// Measured on libgit2/libgit2's history, creating files was the file-merge route's main cost:
/// every loose object is a new inode, and ext4 on a busy disk took milliseconds per inode, so
/// writing about a dozen synthetic objects per car into the repository cost more than git's whole
/// merge. The directory lives on <c>/dev/shm</c> (memory) when that exists, else in the temporary
/// directory; it is emptied when it grows and deleted with its owner.
/// </remarks>
internal sealed class ScratchObjects : IDisposable
{
    // Synthetic objects are a pure function of the files merged, so keeping them lets a car that
    // is rebuilt write nothing; past this many the directory is emptied.
    private const int MaxObjects = 20_000;
    private int _written;

    private const string Prefix = "mergetrain-objects-";
    private static int _sweptLeftovers;

    public ScratchObjects()
    {
        var parent = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        if (Interlocked.Exchange(ref _sweptLeftovers, 1) == 0)
        {
            DeleteLeftovers(parent);
        }

        Path = System.IO.Path.Combine(parent, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The object directory to give git as <c>GIT_OBJECT_DIRECTORY</c>.</summary>
    public string Path { get; }

    /// <summary>Writes a loose object as git does (zlib of "type size\0content", named by its SHA-1) unless it is there.</summary>
    public Oid Write(string type, byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"{type} {content.Length}\0");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(header);
        sha.AppendData(content);
        var id = Oid.FromBytes(sha.GetHashAndReset());
        var file = FileOf(id);
        if (File.Exists(file))
        {
            return id;
        }

        if (_written >= MaxObjects)
        {
            Clear();
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        var temporary = file + ".tmp";
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 14))
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(header);
            zlib.Write(content);
        }

        File.Move(temporary, file, overwrite: true);
        _written++;
        return id;
    }

    /// <summary>The content of a loose object here (what git wrote or <see cref="Write"/> did), or null when it is not here.</summary>
    public byte[]? TryRead(Oid id)
    {
        var file = FileOf(id);
        if (!File.Exists(file))
        {
            return null;
        }

        using var input = new ZLibStream(File.OpenRead(file), CompressionMode.Decompress);
        using var all = new MemoryStream();
        input.CopyTo(all);
        var bytes = all.GetBuffer().AsSpan(0, (int)all.Length);
        var start = bytes.IndexOf((byte)0) + 1;
        return bytes[start..].ToArray();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the operating system's temporary-file cleanup.
        }
    }

    private void Clear()
    {
        Directory.Delete(Path, recursive: true);
        Directory.CreateDirectory(Path);
        _written = 0;
    }

    private string FileOf(Oid id)
    {
        var hex = id.ToString();
        return System.IO.Path.Combine(Path, hex[..2], hex[2..]);
    }

    /// <summary>
    /// Deletes the directories that processes killed before they could dispose of theirs left behind
    /// (a directory's name carries its process id); once per process. /dev/shm is memory: leftovers
    /// of a service killed again and again would add up.
    /// </summary>
    internal static void DeleteLeftovers(string parent)
    {
        foreach (var directory in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            var name = System.IO.Path.GetFileName(directory.AsSpan())[Prefix.Length..];
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // Another process's, or already going: nothing of ours.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
