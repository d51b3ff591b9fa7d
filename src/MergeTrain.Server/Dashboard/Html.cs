using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace MergeTrain.Server.Dashboard;

/// <summary>Small helpers for writing encoded HTML by hand: no front-end build chain (issue 7).</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Short(string? sha) => sha is { Length: > 8 } ? sha[..8] : sha ?? "–";

    public static string Ago(DateTimeOffset at, DateTimeOffset now) => Duration(now - at) + " ago";

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0 s",
        < 60 => $"{span.TotalSeconds:F0} s",
        < 3600 => $"{(int)span.TotalMinutes} min {span.Seconds} s",
        _ => $"{(int)span.TotalHours} h {span.Minutes} min",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A POST button (a one-button form), shown only when <paramref name="allowed"/>.</summary>
    public static string Button(bool allowed, string action, string label, string? confirm = null) =>
        !allowed ? "" :
        $"""<form method="post" action="{E(action)}" class="inline"{(confirm is null ? "" : $" onsubmit=\"return confirm('{E(confirm)}')\"")}><button type="submit">{E(label)}</button></form>""";

    /// <summary>A bar chart as inline SVG.</summary>
    public static string BarChart(string title, IReadOnlyList<(string Label, double Value)> bars, string unit)
    {
        const int width = 560, height = 160, bottom = 24;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""<figure class="chart"><figcaption>{E(title)}</figcaption><svg viewBox="0 0 {width} {height}" role="img" aria-label="{E(title)}">""");
        if (bars.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"""<text x="10" y="{height / 2}">no data yet</text>""");
        }
        else
        {
            var max = Math.Max(bars.Max(b => b.Value), 1e-9);
            var step = (double)width / bars.Count;
            for (var i = 0; i < bars.Count; i++)
            {
                var barHeight = (height - bottom - 10) * bars[i].Value / max;
                var x = i * step;
                text.Append(CultureInfo.InvariantCulture,
                    $"""<rect x="{x + 2:F1}" y="{height - bottom - barHeight:F1}" width="{Math.Max(step - 4, 1):F1}" height="{barHeight:F1}"><title>{E(bars[i].Label)}: {bars[i].Value:0.#} {E(unit)}</title></rect>""");
                if (bars.Count <= 24 || i % 3 == 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"""<text x="{x + (step / 2):F1}" y="{height - 8}" text-anchor="middle">{E(bars[i].Label)}</text>""");
                }
            }
        }

        text.Append("</svg></figure>");
        return text.ToString();
    }
}
