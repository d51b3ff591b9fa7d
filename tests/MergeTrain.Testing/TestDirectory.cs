namespace MergeTrain.Testing;

/// <summary>Temporary folders for tests.</summary>
public static class TestDirectory
{
    /// <summary>
    /// A new folder under the system temp folder that other users may traverse (0755): the
    /// embedded PostgreSQL runs as the <c>postgres</c> user when the tests run as root.
    /// </summary>
    public static string CreateShared(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        return path;
    }
}
