using MergeTrain.Testing;
using Npgsql;
using NUnit.Framework;

namespace MergeTrain.Postgres.Tests;

/// <summary>A test with a fresh, migrated database and one open connection to it.</summary>
public abstract class ServiceDatabaseTest
{
    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    protected NpgsqlConnection Connection { get; private set; } = null!;

    [SetUp]
    public async Task OpenDatabase()
    {
        DataSource = await ServiceDatabase.CreateAsync();
        Connection = await DataSource.OpenConnectionAsync();
    }

    [TearDown]
    public async Task CloseDatabase()
    {
        await Connection.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
