namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Where a page's parts write HTML: <see cref="Markup"/> for markup we wrote ourselves, as is;
/// <see cref="Text"/> for anything that comes from data, which is HTML-encoded (safe in element
/// content and in quoted attributes).
/// </summary>
internal interface IHtmlOutput
{
    /// <summary>Appends markup of ours, unencoded.</summary>
    void Markup(string markup);

    /// <summary>Appends a value's text, HTML-encoded; nothing for null.</summary>
    void Text(object? value);
}
