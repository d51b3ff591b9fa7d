using MergeTrain.Application.Database;
using MergeTrain.Postgres.Work;
using Npgsql;

namespace MergeTrain.Application.Mediation;

/// <summary>
/// The request's database connection and transaction, opened on first use and committed by
/// <see cref="TransactionBehavior{TRequest, TResponse}"/> when the handler succeeds, which then
/// sends the jobs of the work the transaction requested.
/// </summary>
public sealed class DbSession(DatabaseReadiness readiness, IWorkScheduler scheduler) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    /// <summary>Work the request's transaction asked for, whose jobs start once it commits.</summary>
    public Wakeups Wakeups { get; } = new();

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

    /// <summary>Commits what the request wrote, if it wrote anything, then enqueues the jobs it asked for.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            await _transaction.CommitAsync(cancellationToken);
        }

        Wakeups.Send(scheduler);
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
