namespace MergeTrain.Postgres.Embedded;

/// <summary>Where and how to run a private PostgreSQL cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>The folder that holds the cluster (<c>pgdata/</c>), its password and its log.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The database the service uses; created on first start.</summary>
    public string Database { get; init; } = "mergetrain";

    /// <summary>The TCP port on 127.0.0.1; 0 picks a free one at every start.</summary>
    public int Port { get; init; }

    /// <summary>
    /// The folder of <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>; null finds the newest
    /// Debian installation under <c>/usr/lib/postgresql</c>.
    /// </summary>
    public string? BinDirectory { get; init; }

    /// <summary>
    /// The server's connection limit. Each service instance holds Hangfire's workers and listener,
    /// one connection per running train or drain (its advisory lock) and the request pool; 200
    /// leaves room for several instances sharing the embedded server.
    /// </summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>
    /// False trades crash safety for speed (fsync off): for throw-away test clusters only.
    /// </summary>
    public bool Durable { get; init; } = true;
}
