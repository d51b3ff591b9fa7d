using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace MergeTrain.Postgres.Sessions;

/// <summary>
/// ASP.NET Data Protection's key ring in the <c>data_protection_keys</c> table, so that every
/// instance on one database signs and reads session cookies and antiforgery tokens with the same
/// keys. Data Protection calls this synchronously and rarely (at its first use and when it
/// refreshes its ring, daily by default), so the calls block. <paramref name="dataSource"/> is
/// asked at each call: the database may become ready after the host starts.
/// </summary>
public sealed class DataProtectionKeyStore(Func<NpgsqlDataSource> dataSource) : IXmlRepository
{
    private const string SelectAll = "SELECT xml FROM data_protection_keys ORDER BY stored_at, friendly_name";

    // Data Protection names each key uniquely ("key-<guid>"); writing one twice changes nothing.
    private const string Insert = """
        INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml)
        ON CONFLICT (friendly_name) DO NOTHING
        """;

    /// <inheritdoc/>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource().OpenConnection();
        return connection.Query<string>(SelectAll).Select(xml => XElement.Parse(xml)).ToList();
    }

    /// <inheritdoc/>
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = dataSource().OpenConnection();
        connection.Execute(Insert, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
