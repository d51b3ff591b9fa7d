using Hangfire.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>Hangfire's pager, whose page links keep the page's filter (Hangfire's own drop the query string).</summary>
internal sealed class FilteredPager : Pager
{
    private readonly string _filterQuery;

    public FilteredPager(int from, int perPage, long total, string basePageUrl, IEnumerable<KeyValuePair<string, string?>> filter)
        : base(from, perPage, DefaultPerPage, total)
    {
        BasePageUrl = basePageUrl;
        _filterQuery = string.Concat(filter.Where(pair => !string.IsNullOrEmpty(pair.Value))
            .Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value!)}&"));
    }

    /// <summary>Rows per page unless the query says otherwise.</summary>
    public const int DefaultPerPage = 50;

    private const int MaxPerPage = 500;

    /// <summary>The rows a page's <c>from</c> and <c>count</c> query values ask for, within bounds.</summary>
    public static (int From, int Count) Requested(string? from, string? count)
    {
        _ = int.TryParse(from, out var first);
        _ = int.TryParse(count, out var rows);
        return (Math.Max(0, first), rows > 0 ? Math.Min(rows, MaxPerPage) : DefaultPerPage);
    }

    /// <inheritdoc/>
    public override string PageUrl(int page) =>
        page < 1 || page > TotalPageCount ? "#" : $"{BasePageUrl}?{_filterQuery}from={(page - 1) * RecordsPerPage}&count={RecordsPerPage}";
}
