namespace MergeTrain.Git.Tests;

/// <summary>A directory under the system temp folder, removed when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("mergetrain-git-").FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A git daemon child may still hold a file for a moment; the temp folder is cleaned anyway.
        }
    }
}
