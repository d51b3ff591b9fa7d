using LibGit2Sharp;

namespace MergeTrain.Git.Tests;

/// <summary>
/// Writes commits straight into a repository's object database with LibGit2Sharp (blobs, trees,
/// commits), so the tests cover those calls against the bundled libgit2 too.
/// </summary>
internal static class CommitWriter
{
    private static readonly Signature Author = new("Test", "test@example.com", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A commit whose tree is <paramref name="parent"/>'s with <paramref name="changes"/> applied (null content deletes).</summary>
    public static string Commit(string repositoryPath, string? parent, IReadOnlyDictionary<string, string?> changes, string message = "change")
    {
        using var repository = new Repository(repositoryPath);
        var parentCommit = parent is null ? null : repository.Lookup<Commit>(parent);
        var definition = parentCommit is null ? new TreeDefinition() : TreeDefinition.From(parentCommit.Tree);
        foreach (var (path, content) in changes)
        {
            if (content is null)
            {
                definition.Remove(path);
                continue;
            }

            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
            var blob = repository.ObjectDatabase.CreateBlob(stream);
            definition.Add(path, blob, Mode.NonExecutableFile);
        }

        var tree = repository.ObjectDatabase.CreateTree(definition);
        var parents = parentCommit is null ? Array.Empty<Commit>() : [parentCommit];
        return repository.ObjectDatabase.CreateCommit(Author, Author, message, tree, parents, prettifyMessage: true).Sha;
    }
}
