using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MergeTrain.Git;

/// <summary>
/// The few libgit2 functions the fast merge path needs and LibGit2Sharp does not offer cheaply,
/// called on the very library LibGit2Sharp loaded (<see cref="BundledLibGit2"/>, ADR 0006) through a
/// repository handle of their own:
/// <c>git_merge_bases</c> (all merge bases, to recognise criss-cross histories) and raw tree reads
/// (LibGit2Sharp allocates several objects per tree entry, which dominated a merge's cost).
/// Used only by <see cref="BareRepository"/>; covered by the merge corpus and the benchmark.
/// </summary>
internal sealed partial class NativeRepository : SafeHandle
{
    private const string Library = BundledLibGit2.LibraryName;
    private const int NotFound = -3;

    public NativeRepository()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static NativeRepository Open(string gitDirectory)
    {
        BundledLibGit2.EnsureLoaded();
        var result = new NativeRepository();
        var error = git_repository_open(out var repository, gitDirectory);
        if (error < 0)
        {
            throw new InvalidOperationException($"libgit2 could not open {gitDirectory} (error {error}).");
        }

        result.SetHandle(repository);
        return result;
    }

    /// <summary>All merge bases of the two commits; empty when they share no history.</summary>
    public unsafe IReadOnlyList<Oid> FindMergeBases(Oid one, Oid two)
    {
        GitOidArray bases = default;
        var error = git_merge_bases(&bases, handle, &one, &two);
        if (error == NotFound)
        {
            return [];
        }

        if (error < 0)
        {
            throw new InvalidOperationException($"libgit2 could not find the merge bases of {one} and {two} (error {error}).");
        }

        try
        {
            var ids = new List<Oid>((int)bases.Count);
            for (nuint i = 0; i < bases.Count; i++)
            {
                ids.Add(bases.Ids[i]);
            }

            return ids;
        }
        finally
        {
            git_oidarray_dispose(&bases);
        }
    }

    /// <summary>The entries of tree <paramref name="id"/> by name.</summary>
    public unsafe Dictionary<string, TreeItem> ReadTree(Oid id)
    {
        var error = git_tree_lookup(out var tree, handle, &id);
        if (error < 0)
        {
            throw new InvalidOperationException($"libgit2 could not read tree {id} (error {error}).");
        }

        try
        {
            var count = git_tree_entrycount(tree);
            var items = new Dictionary<string, TreeItem>((int)count, StringComparer.Ordinal);
            for (nuint i = 0; i < count; i++)
            {
                var entry = git_tree_entry_byindex(tree, i);
                var name = Marshal.PtrToStringUTF8((IntPtr)git_tree_entry_name(entry))!;
                items[name] = new TreeItem(git_tree_entry_filemode(entry), *git_tree_entry_id(entry));
            }

            return items;
        }
        finally
        {
            git_tree_free(tree);
        }
    }

    protected override bool ReleaseHandle()
    {
        git_repository_free(handle);
        return true;
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int git_repository_open(out IntPtr repository, string path);

    [LibraryImport(Library)]
    private static partial void git_repository_free(IntPtr repository);

    [LibraryImport(Library)]
    private static unsafe partial int git_merge_bases(GitOidArray* output, IntPtr repository, Oid* one, Oid* two);

    [LibraryImport(Library)]
    private static unsafe partial void git_oidarray_dispose(GitOidArray* array);

    [LibraryImport(Library)]
    private static unsafe partial int git_tree_lookup(out IntPtr tree, IntPtr repository, Oid* id);

    [LibraryImport(Library)]
    private static partial void git_tree_free(IntPtr tree);

    [LibraryImport(Library)]
    private static partial nuint git_tree_entrycount(IntPtr tree);

    [LibraryImport(Library)]
    private static partial IntPtr git_tree_entry_byindex(IntPtr tree, nuint index);

    [LibraryImport(Library)]
    private static unsafe partial byte* git_tree_entry_name(IntPtr entry);

    [LibraryImport(Library)]
    private static unsafe partial Oid* git_tree_entry_id(IntPtr entry);

    [LibraryImport(Library)]
    private static partial int git_tree_entry_filemode(IntPtr entry);

    // typedef struct git_oidarray { git_oid *ids; size_t count; } git_oidarray;
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct GitOidArray
    {
        public Oid* Ids;
        public nuint Count;
    }
}

/// <summary>A git object id, laid out as libgit2's SHA-1 <c>git_oid</c> (20 bytes; the bundled build has no SHA-256 ids), cheap to compare and hash.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal readonly record struct Oid(ulong A, ulong B, uint C)
{
    public static Oid Parse(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        return bytes.Length == 20
            ? new Oid(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)))
            : throw new ArgumentException($"'{hex}' is not a full object id.", nameof(hex));
    }

    public static Oid FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length == 20
        ? new Oid(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]))
        : throw new ArgumentException("An object id has 20 bytes.", nameof(bytes));

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, A);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], C);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[20];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>A tree entry without its name: its git mode (e.g. <c>0100644</c>) and object id.</summary>
internal readonly record struct TreeItem(int Mode, Oid Id)
{
    public const int DirectoryMode = 0x4000;
    public const int FileMode = 0x81A4;
    public const int ExecutableMode = 0x81ED;
    public const int SymlinkMode = 0xA000;
    public const int GitLinkMode = 0xE000;

    public bool IsDirectory => Mode == DirectoryMode;

    public bool IsRegularFile => Mode is FileMode or ExecutableMode;

    // What git's rename detection sees as the same kind of entry (a change of kind is a delete and an add).
    public int Kind => Mode & 0xF000;

    /// <summary>Appends this entry as git writes it in a tree object: octal mode, space, name, NUL, id.</summary>
    public void AppendTo(List<byte> tree, string name)
    {
        tree.AddRange(Encoding.ASCII.GetBytes(Convert.ToString(Mode, 8)));
        tree.Add((byte)' ');
        tree.AddRange(Encoding.UTF8.GetBytes(name));
        tree.Add(0);
        Span<byte> id = stackalloc byte[20];
        Id.CopyTo(id);
        foreach (var b in id)
        {
            tree.Add(b);
        }
    }
}
