using LibGit2Sharp;

namespace MergeTrain.Git.Tests.Corpus;

/// <summary>A whole tree as path → file, edited in memory and written in one go.</summary>
internal sealed class Snapshot
{
    private readonly SortedDictionary<string, FileSpec> _files;

    public Snapshot(IEnumerable<KeyValuePair<string, FileSpec>>? files = null) =>
        _files = new SortedDictionary<string, FileSpec>(files?.ToDictionary(f => f.Key, f => f.Value) ?? [], StringComparer.Ordinal);

    public IReadOnlyCollection<string> Paths => _files.Keys;

    public Snapshot Clone() => new(_files);

    public FileSpec this[string path]
    {
        get => _files[path];
        set => _files[path] = value;
    }

    public bool Contains(string path) => _files.ContainsKey(path);

    public void Remove(string path) => _files.Remove(path);

    public void Rename(string from, string to)
    {
        _files[to] = _files[from];
        _files.Remove(from);
    }

    public string Write(Repository repository, IEnumerable<Commit> parents, string message)
    {
        var definition = new TreeDefinition();
        foreach (var (path, file) in _files)
        {
            var blob = repository.ObjectDatabase.Write<Blob>(file.Content);
            definition.Add(path, blob, file.Mode);
        }

        var tree = repository.ObjectDatabase.CreateTree(definition);
        var signature = new Signature("Corpus", "corpus@example.com", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return repository.ObjectDatabase.CreateCommit(signature, signature, message, tree, parents, prettifyMessage: false).Sha;
    }
}

/// <summary>One file: its bytes (a symlink's target for <see cref="Mode.SymbolicLink"/>) and mode.</summary>
internal sealed record FileSpec(byte[] Content, Mode Mode)
{
    public static FileSpec Text(IEnumerable<string> lines, Mode mode = Mode.NonExecutableFile) =>
        new(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), mode);

    public string[] Lines => System.Text.Encoding.UTF8.GetString(Content).TrimEnd('\n').Split('\n');

    public bool IsText => Mode != Mode.SymbolicLink && Array.IndexOf(Content, (byte)0) < 0;
}
