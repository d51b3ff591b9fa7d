using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using MergeTrain.Application.Database;
using MergeTrain.Application.Mediation;
using Npgsql;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>
/// A MergeTrain page inside Hangfire's dashboard: Hangfire's layout and navigation around a
/// heading, an optional part that stays put (filters), and a live part that the dashboard's
/// script fetches again every few seconds (<see cref="LiveHeader"/>) and swaps in when it changed.
/// </summary>
internal abstract class MergeTrainPage : RazorPage, IHtmlOutput
{
    /// <summary>The request header that asks for the live part alone.</summary>
    public const string LiveHeader = "X-MergeTrain-Live";

    /// <summary>The page's title, in the browser's title bar and as its heading.</summary>
    protected abstract string Title { get; }

    /// <summary>The request's HTTP context: its user, its query, its services.</summary>
    protected HttpContext HttpContext => Context.GetHttpContext();

    /// <summary>Now, from the service's clock.</summary>
    protected DateTimeOffset Now => Service<TimeProvider>().GetUtcNow();

    /// <summary>This page's parts write here.</summary>
    protected IHtmlOutput Output => this;

    /// <inheritdoc/>
    public sealed override void Execute()
    {
        if (HttpContext.Request.Headers.ContainsKey(LiveHeader))
        {
            WriteLive();
            return;
        }

        Layout = new LayoutPage(Title);
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 id=\"page-title\" class=\"page-header\">");
        Write(Heading);
        WriteLiteral("</h1>");
        WriteStatic();
        WriteLiteral("<div class=\"alert alert-danger mt-action-error\" role=\"alert\" hidden></div>");
        WriteLiteral("<div class=\"mt-live\" aria-live=\"polite\">");
        WriteLive();
        WriteLiteral("</div></div></div>");
    }

    void IHtmlOutput.Markup(string markup) => WriteLiteral(markup);

    void IHtmlOutput.Text(object? value) => Write(value);

    /// <summary>The heading; the title unless a page says more.</summary>
    protected virtual string Heading => Title;

    /// <summary>What stays while the live part is refreshed (a filter form, say).</summary>
    protected virtual void WriteStatic()
    {
    }

    /// <summary>The part that is refreshed while the page is open.</summary>
    protected abstract void WriteLive();

    /// <summary>A service of the running host.</summary>
    protected T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>Runs one of the dashboard's reads on a connection of its own.</summary>
    protected T Read<T>(Func<NpgsqlConnection, T> query)
    {
        ArgumentNullException.ThrowIfNull(query);

        // The gate in front of the dashboard answers 503 until the database is ready.
        var dataSource = Service<DatabaseReadiness>().DataSource ?? throw new DatabaseNotReadyException();
        using var connection = dataSource.OpenConnection();
        return query(connection);
    }

    /// <summary>A query-string value, or null when absent or blank.</summary>
    protected string? QueryValue(string key) =>
        HttpContext.Request.Query[key].FirstOrDefault() is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A positive whole number from the query string, or null.</summary>
    protected long? QueryNumber(string key) =>
        long.TryParse(QueryValue(key), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0 ? number : null;

    /// <summary>Hangfire's own action button: its script posts to data-ajax with the antiforgery header, then reloads.</summary>
    protected void Button(string path, string label, string style, string? confirm)
    {
        WriteLiteral("<button type=\"button\" class=\"btn btn-sm ");
        WriteLiteral(style);
        WriteLiteral("\" data-ajax=\"");
        Write(Url.To(path));
        WriteLiteral("\"");
        if (confirm is not null)
        {
            WriteLiteral(" data-confirm=\"");
            Write(confirm);
            WriteLiteral("\"");
        }

        WriteLiteral(" data-loading-text=\"…\">");
        Write(label);
        WriteLiteral("</button> ");
    }
}
