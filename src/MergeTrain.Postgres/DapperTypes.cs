using System.Data;
using Dapper;

namespace MergeTrain.Postgres;

/// <summary>
/// Teaches Dapper the conversions our records need. Npgsql reads <c>timestamptz</c> as a UTC
/// <see cref="DateTime"/>, while the domain speaks <see cref="DateTimeOffset"/>.
/// </summary>
internal static class DapperTypes
{
    private static int _registered;

    /// <summary>Registers the handlers once per process; every store calls this before its first query.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new UtcDateTimeOffsetHandler());
            SqlMapper.AddTypeHandler(new TextArrayHandler());

            // Columns are snake_case, properties PascalCase.
            DefaultTypeMap.MatchNamesWithUnderscores = true;
        }
    }

    // text[] arrives as string[]; records expose it read-only.
    private sealed class TextArrayHandler : SqlMapper.TypeHandler<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> Parse(object value) => (string[])value;

        public override void SetValue(IDbDataParameter parameter, IReadOnlyList<string>? value) => parameter.Value = value?.ToArray();
    }

    private sealed class UtcDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            DateTimeOffset dateTimeOffset => dateTimeOffset,
            _ => throw new DataException($"Cannot read {value.GetType()} as a DateTimeOffset."),
        };

        // Npgsql writes timestamptz only from UTC values.
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();
    }
}
