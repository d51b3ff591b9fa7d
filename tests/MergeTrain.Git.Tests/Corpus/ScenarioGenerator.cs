using LibGit2Sharp;

namespace MergeTrain.Git.Tests.Corpus;

/// <summary>
/// Seeded, deterministic merge scenarios: a base tree and two sides edited from it, by kind of
/// change (content edits, adds, deletes, renames, modes, binaries, directories, symlinks) and by
/// kind of conflict (content, add/add, modify/delete, rename/delete, rename/rename, file/directory).
/// </summary>
internal sealed class ScenarioGenerator(int seed)
{
    private static readonly string[] CommonLines = ["}", "", "{", "return;", "// ----"];
    private static readonly string[] Directories = ["src", "src/core", "src/core/deep/er", "docs", "lib/util", "assets"];

    // Most real trees carry a top-level .gitattributes; in a bare repository git 2.39 does not apply
    // it to merges, which the builder relies on. Chosen by seed so that other draws stay the same.
    private static readonly string[] Attributes =
    [
        "* merge=union\n", "* text eol=crlf\n", "*.txt merge=binary\n*.c -text\n", "* text=auto\n*.md conflict-marker-size=12\n",
    ];

    private readonly Random _random = new(seed);
    private int _counter;

    public delegate void Edit(Snapshot ours, Snapshot theirs, ScenarioGenerator generator);

    /// <summary>The kinds of scenario; each is instantiated many times with different seeds.</summary>
    public static readonly IReadOnlyList<(string Name, Edit Edit)> Kinds =
    [
        ("edit one file in distant places", (o, t, g) => { var f = g.TextFile(o, 14); g.EditLines(o, f, 1); g.EditLines(t, f, o[f].Lines.Length - 3); }),
        ("edit one file in the same place", (o, t, g) => { var f = g.TextFile(o, 8); var at = g.Next(1, 5); g.EditLines(o, f, at); g.EditLines(t, f, at); }),
        ("edit one file on adjacent lines", (o, t, g) => { var f = g.TextFile(o, 8); var at = g.Next(1, 5); g.EditLines(o, f, at, 1); g.EditLines(t, f, at + 1, 1); }),
        ("edit one file identically", (o, t, g) => { var f = g.TextFile(o, 8); g.EditLines(o, f, 2); t[f] = o[f]; }),
        ("edit different files", (o, t, g) => { var f = g.TextFile(o, 4); var h = g.OtherTextFile(o, f); g.EditLines(o, f, 1); g.EditLines(t, h, 2); }),
        ("insert among repeated lines", (o, t, g) => { const string f = RepetitivePath; g.InsertLines(o, f, g.Next(1, 12)); g.InsertLines(t, f, g.Next(16, 29)); }),
        ("add different files", (o, t, g) => { g.AddFile(o, g.NewPath()); g.AddFile(t, g.NewPath()); }),
        ("add/add with different contents", (o, t, g) => { var p = g.NewPath(); g.AddFile(o, p); g.AddFile(t, p); }),
        ("add/add with the same contents", (o, t, g) => { var p = g.NewPath(); g.AddFile(o, p); t[p] = o[p]; }),
        ("delete one file, edit another", (o, t, g) => { var f = g.AnyFile(o); o.Remove(f); g.EditLines(t, g.OtherTextFile(t, f), 1); }),
        ("modify/delete", (o, t, g) => { var f = g.TextFile(o, 4); g.EditLines(o, f, 1); t.Remove(f); }),
        ("delete on both sides", (o, t, g) => { var f = g.AnyFile(o); o.Remove(f); t.Remove(f); }),
        ("exact rename, edit on the other side", (o, t, g) => { var f = g.TextFile(o, 8); o.Rename(f, g.NewPath()); g.EditLines(t, f, 2); }),
        ("rename with edits, edit on the other side", (o, t, g) => { var f = g.TextFile(o, 14); var to = g.NewPath(); g.EditLines(o, f, 1); o.Rename(f, to); g.EditLines(t, f, t[f].Lines.Length - 3); }),
        ("rename/delete", (o, t, g) => { var f = g.TextFile(o, 4); o.Rename(f, g.NewPath()); t.Remove(f); }),
        ("rename/rename to different names", (o, t, g) => { var f = g.TextFile(o, 4); o.Rename(f, g.NewPath()); t.Rename(f, g.NewPath()); }),
        ("rename to the same name on both sides", (o, t, g) => { var f = g.TextFile(o, 4); var to = g.NewPath(); o.Rename(f, to); t.Rename(f, to); }),
        ("executable bit on one side, content on the other", (o, t, g) => { var f = g.TextFile(o, 8); SetMode(o, f, Mode.ExecutableFile); g.EditLines(t, f, 3); }),
        ("executable bit on both sides", (o, t, g) => { var f = g.TextFile(o, 8); SetMode(o, f, Mode.ExecutableFile); SetMode(t, f, Mode.ExecutableFile); g.EditLines(t, g.OtherTextFile(t, f), 1); }),
        ("executable bit and edit on one side, edit on the other", (o, t, g) => { var f = g.TextFile(o, 14); SetMode(o, f, Mode.ExecutableFile); g.EditLines(o, f, 1); g.EditLines(t, f, t[f].Lines.Length - 3); }),
        ("binary file changed on one side", (o, t, g) => { var b = g.BinaryFile(o); g.ChangeBinary(o, b); g.EditLines(t, g.TextFile(t, 4), 1); }),
        ("binary file changed on both sides", (o, t, g) => { var b = g.BinaryFile(o); g.ChangeBinary(o, b); g.ChangeBinary(t, b); }),
        ("nested directories", (o, t, g) => { g.EditLines(o, ScenarioGenerator.DeepFile(o), 1); g.AddFile(o, "new/a/b/c/" + g.Name()); g.EditLines(t, ScenarioGenerator.DeepFile(t, skip: 1), 2); g.AddFile(t, "new/a/x/" + g.Name()); }),
        ("directory rename, file added to the old directory", (o, t, g) => { var d = g.RenameDirectory(o); g.AddFile(t, d + "/" + g.Name()); }),
        ("directory rename, file edited in the old directory", (o, t, g) => { var d = g.RenameDirectory(o); g.EditLines(t, t.Paths.First(p => p.StartsWith(d + "/", StringComparison.Ordinal) && t[p].IsText), 1); }),
        ("file replaced by a directory, file edited", (o, t, g) => { var f = g.TextFile(o, 4); o.Remove(f); g.AddFile(o, f + "/inner.txt"); g.EditLines(t, f, 1); }),
        ("file added on one side, directory of that name on the other", (o, t, g) => { var p = g.NewPath(); g.AddFile(o, p); g.AddFile(t, p + "/" + g.Name()); }),
        ("file turned into a symlink on one side", (o, t, g) => { var f = g.TextFile(o, 4); o[f] = new FileSpec("target.txt"u8.ToArray(), Mode.SymbolicLink); g.EditLines(t, g.OtherTextFile(t, f), 1); }),
        ("file turned into a symlink, edited on the other side", (o, t, g) => { var f = g.TextFile(o, 4); o[f] = new FileSpec("target.txt"u8.ToArray(), Mode.SymbolicLink); g.EditLines(t, f, 1); }),
        ("directory deleted, file edited inside it", (o, t, g) => { var d = g.AnyDirectory(o); foreach (var p in o.Paths.Where(p => p.StartsWith(d + "/", StringComparison.Ordinal)).ToList()) { o.Remove(p); } g.EditLines(t, t.Paths.First(p => p.StartsWith(d + "/", StringComparison.Ordinal) && t[p].IsText), 1); }),
        ("random mix", (o, t, g) => { g.RandomEdits(o); g.RandomEdits(t); }),
    ];

    public Snapshot BaseTree()
    {
        var snapshot = new Snapshot();
        var count = Next(10, 20);
        for (var i = 0; i < count; i++)
        {
            snapshot[$"{Directories[i % Directories.Length]}/{Name()}"] = TextContent(Next(6, 30));
        }

        snapshot["assets/logo.bin"] = Binary();
        snapshot["README.md"] = TextContent(10);
        snapshot["tools/run.sh"] = TextContent(5) with { Mode = Mode.ExecutableFile };
        if (seed % 5 != 0)
        {
            snapshot[".gitattributes"] = FileSpec.Text([Attributes[seed % Attributes.Length].TrimEnd('\n')]);
        }

        snapshot[RepetitivePath] = FileSpec.Text(Enumerable.Range(0, 30).Select(i => i % 5 == 0 ? $"block {i} {_random.Next(1000)}" : CommonLines[i % 3]));
        return snapshot;
    }

    public int Next(int min, int max) => _random.Next(min, max);

    public string Name() => $"f{_counter++}_{_random.Next(1000)}.txt";

    public string NewPath() => $"{Directories[_random.Next(Directories.Length)]}/n{_counter++}.txt";

    public string TextFile(Snapshot s, int minLines) =>
        Pick(s.Paths.Where(p => s[p].IsText && s[p].Mode != Mode.ExecutableFile && s[p].Lines.Length >= minLines && !p.StartsWith("tools/", StringComparison.Ordinal)));

    public string OtherTextFile(Snapshot s, string not) => Pick(s.Paths.Where(p => p != not && s.Contains(p) && s[p].IsText && s[p].Lines.Length >= 4));

    public string AnyFile(Snapshot s) => Pick(s.Paths);

    public string BinaryFile(Snapshot s) => Pick(s.Paths.Where(p => !s[p].IsText && s[p].Mode != Mode.SymbolicLink));

    public static string DeepFile(Snapshot s, int skip = 0) => s.Paths.Where(p => p.Count(c => c == '/') >= 2 && s[p].IsText).Skip(skip).First();

    public string AnyDirectory(Snapshot s) => Pick(s.Paths.Where(p => p.Contains('/', StringComparison.Ordinal)).Select(p => p[..p.LastIndexOf('/')]).Distinct());

    public void EditLines(Snapshot s, string path, int at, int count = 2)
    {
        var lines = s[path].Lines.ToList();
        at = Math.Clamp(at, 0, lines.Count - 1);
        count = Math.Min(count, lines.Count - at);
        lines.RemoveRange(at, count);
        lines.InsertRange(at, Enumerable.Range(0, Next(1, 3)).Select(_ => $"edited {_counter++} {_random.Next(100000)}"));
        s[path] = FileSpec.Text(lines, s[path].Mode);
    }

    public void InsertLines(Snapshot s, string path, int at)
    {
        var lines = s[path].Lines.ToList();
        at = Math.Clamp(at, 0, lines.Count);
        lines.InsertRange(at, ["{", $"inserted {_counter++}", "}", ""]);
        s[path] = FileSpec.Text(lines, s[path].Mode);
    }

    // Blocks of braces and blank lines, where diff algorithms have several equally short alignments.
    public const string RepetitivePath = "src/repetitive.c";

    public void AddFile(Snapshot s, string path) => s[path] = TextContent(Next(3, 12));

    public static void SetMode(Snapshot s, string path, Mode mode) => s[path] = s[path] with { Mode = mode };

    public void ChangeBinary(Snapshot s, string path)
    {
        var bytes = (byte[])s[path].Content.Clone();
        bytes[_random.Next(1, bytes.Length)] ^= (byte)_random.Next(1, 255);
        s[path] = s[path] with { Content = bytes };
    }

    public string RenameDirectory(Snapshot s)
    {
        var directory = Pick(s.Paths.Where(p => p.Count(c => c == '/') == 1 && s[p].IsText).Select(p => p[..p.IndexOf('/', StringComparison.Ordinal)]).Distinct());
        var target = $"moved{_counter++}";
        foreach (var path in s.Paths.Where(p => p.StartsWith(directory + "/", StringComparison.Ordinal)).ToList())
        {
            s.Rename(path, target + path[directory.Length..]);
        }

        return directory;
    }

    public void RandomEdits(Snapshot s)
    {
        for (var i = Next(1, 5); i > 0; i--)
        {
            var text = s.Paths.Where(p => s[p].IsText && s[p].Lines.Length >= 3).ToList();
            switch (_random.Next(7))
            {
                case 0 or 1 or 2 when text.Count > 0:
                    var f = text[_random.Next(text.Count)];
                    EditLines(s, f, _random.Next(s[f].Lines.Length));
                    break;
                case 3:
                    AddFile(s, NewPath());
                    break;
                case 4 when s.Paths.Count > 3:
                    s.Remove(AnyFile(s));
                    break;
                case 5 when text.Count > 0:
                    var r = text[_random.Next(text.Count)];
                    if (s.Contains(r))
                    {
                        s.Rename(r, NewPath());
                    }

                    break;
                default:
                    var m = AnyFile(s);
                    if (s[m].Mode != Mode.SymbolicLink)
                    {
                        SetMode(s, m, s[m].Mode == Mode.ExecutableFile ? Mode.NonExecutableFile : Mode.ExecutableFile);
                    }

                    break;
            }
        }
    }

    private FileSpec TextContent(int lines) =>
        FileSpec.Text(Enumerable.Range(0, lines).Select(i =>
            _random.Next(5) == 0 ? CommonLines[_random.Next(CommonLines.Length)] : $"line {i} of {_counter++} {_random.Next(1_000_000)}"));

    private FileSpec Binary()
    {
        var bytes = new byte[Next(64, 512)];
        _random.NextBytes(bytes);
        bytes[0] = 0;
        return new FileSpec(bytes, Mode.NonExecutableFile);
    }

    private string Pick(IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        return list.Count == 0 ? throw new InvalidOperationException("no candidate") : list[_random.Next(list.Count)];
    }
}
