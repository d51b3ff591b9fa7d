namespace MergeTrain.Server.Configuration;

/// <summary>The <c>MergeTrain</c> configuration section (SPEC section 7; the key names are a contract).</summary>
public sealed class MergeTrainOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string Section = "MergeTrain";

    /// <summary>PostgreSQL connection string; empty starts an embedded server under <see cref="DataDirectory"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Repositories and the embedded database live here; relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = ".mergetrain";

    /// <summary>The data directory as an absolute path.</summary>
    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    /// <summary>True when the service must run its own PostgreSQL.</summary>
    public bool UsesEmbeddedDatabase => string.IsNullOrWhiteSpace(ConnectionString);
}
