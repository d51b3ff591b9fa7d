using MergeTrain.Server.Database;
using Npgsql;

namespace MergeTrain.Server.Mediation;

/// <summary>
/// The request's database connection and transaction, opened on first use and committed by
/// <see cref="TransactionBehavior{TRequest, TResponse}"/> when the handler succeeds.
/// </summary>
public sealed class DbSession(DatabaseReadiness readiness) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    /// <summary>The open connection (opened and a transaction begun on first use).</summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
            _connection = await dataSource.OpenConnectionAsync(cancellationToken);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken);
        }

        return (_connection, _transaction!);
    }

    /// <summary>Commits what the request wrote, if it wrote anything.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            await _transaction.CommitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}

/// <summary>The database is still starting (or failed to): requests that need it are answered 503.</summary>
public sealed class DatabaseNotReadyException : Exception
{
    /// <summary>The standard message.</summary>
    public DatabaseNotReadyException()
        : base("The database is not ready yet; see /readyz.")
    {
    }
}
