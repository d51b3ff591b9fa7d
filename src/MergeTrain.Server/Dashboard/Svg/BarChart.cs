using System.Globalization;

namespace MergeTrain.Server.Dashboard.Svg;

/// <summary>
/// A bar chart as inline SVG, made to be read at a glance: one bar per time bucket, a value axis
/// from zero with round ticks and its unit, time labels spaced so they never collide, each bar's
/// value above it when there is room, a legend when a second series marks part of each bar, and a
/// message instead of bars when there is nothing to show. Colours come from CSS classes.
/// </summary>
internal sealed class BarChart
{
    private const double Width = 560;
    private const double Height = 270;
    private const double Left = 62;
    private const double Right = 14;
    private const double Top = 34;
    private const double Bottom = 54;
    private const double PlotWidth = Width - Left - Right;
    private const double PlotHeight = Height - Top - Bottom;
    private const double MaxBarWidth = 40;
    private const double MinLabelSpacing = 46;
    private const double ValueCharacterWidth = 7.5;

    /// <summary>What the chart shows, above it.</summary>
    public required string Title { get; init; }

    /// <summary>The unit of the values, on the value axis (<c>merges</c>, <c>minutes</c>).</summary>
    public required string Unit { get; init; }

    /// <summary>What the buckets are, under the time axis (<c>hour (UTC)</c>).</summary>
    public required string TimeAxis { get; init; }

    /// <summary>The time axis label of each bucket.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Each bucket's full name, for the tooltips (<c>14:00–15:00 UTC</c>).</summary>
    public required IReadOnlyList<string> BucketNames { get; init; }

    /// <summary>The bars.</summary>
    public required BarSeries Bars { get; init; }

    /// <summary>A part of each bar, drawn over it from the axis (wasted time within time spent).</summary>
    public BarSeries? Part { get; init; }

    /// <summary>What to say when every bar is zero.</summary>
    public required string EmptyMessage { get; init; }

    /// <summary>Whether the values are counts: the axis then ticks at whole numbers.</summary>
    public bool WholeNumbers { get; init; }

    /// <summary>A sentence under the chart on how to read it.</summary>
    public string? Note { get; init; }

    /// <summary>Writes the chart, in a <c>figure</c> with its title as caption.</summary>
    public void WriteTo(IHtmlOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Bars.Values.Count != Labels.Count || BucketNames.Count != Labels.Count || (Part is not null && Part.Values.Count != Labels.Count))
        {
            throw new ArgumentException("A bar chart needs one label, one name and one value per bucket.");
        }

        output.Markup("<figure class=\"mt-chart\"><figcaption>");
        output.Text(Title);
        output.Markup("</figcaption>");
        output.Markup(Invariant($"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\""));
        output.Text(Title);
        output.Markup("\"><title>");
        output.Text(Title);
        output.Markup("</title>");

        var max = Bars.Values.Count == 0 ? 0 : Bars.Values.Max();
        if (max <= 0)
        {
            WriteTimeAxis(output);
            output.Markup(Invariant($"<text class=\"mt-chart-empty\" x=\"{Left + (PlotWidth / 2)}\" y=\"{Top + (PlotHeight / 2)}\" text-anchor=\"middle\">"));
            output.Text(EmptyMessage);
            output.Markup("</text>");
        }
        else
        {
            var scale = AxisScale.For(max, WholeNumbers);
            WriteValueAxis(output, scale);
            WriteBars(output, scale);
            WriteTimeAxis(output);
            WriteLegend(output);
        }

        output.Markup("</svg>");
        if (Note is not null)
        {
            output.Markup("<p class=\"mt-chart-note\">");
            output.Text(Note);
            output.Markup("</p>");
        }

        output.Markup("</figure>");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Y(double value, AxisScale scale) => Top + PlotHeight - (PlotHeight * value / scale.Top);

    private string Format(double value, int decimals) =>
        value.ToString(WholeNumbers || decimals == 0 ? "0" : "0." + new string('#', decimals), CultureInfo.InvariantCulture);

    // Bar values keep about three significant digits.
    private string FormatValue(double value) =>
        value.ToString(WholeNumbers || value >= 100 ? "0" : value >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    private void WriteValueAxis(IHtmlOutput output, AxisScale scale)
    {
        foreach (var tick in scale.Ticks)
        {
            var y = Y(tick, scale);
            output.Markup(Invariant($"<line class=\"mt-chart-grid\" x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>"));
            output.Markup(Invariant($"<text class=\"mt-chart-tick\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">"));
            output.Text(Format(tick, scale.Decimals));
            output.Markup("</text>");
        }

        output.Markup(Invariant($"<line class=\"mt-chart-axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\"/>"));
        output.Markup(Invariant($"<text class=\"mt-chart-axis-title\" transform=\"translate(14 {Top + (PlotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">"));
        output.Text(Unit);
        output.Markup("</text>");
    }

    private void WriteBars(IHtmlOutput output, AxisScale scale)
    {
        var slot = PlotWidth / Labels.Count;
        var barWidth = Math.Max(2, Math.Min(MaxBarWidth, slot * 0.7));

        // Values go above the bars only where the widest of them fits its slot, so that none overlap.
        var showValues = slot >= (Bars.Values.Max(value => FormatValue(value).Length) * ValueCharacterWidth) + 4;
        for (var i = 0; i < Labels.Count; i++)
        {
            var x = Left + (i * slot) + ((slot - barWidth) / 2);
            var value = Bars.Values[i];
            if (value <= 0)
            {
                continue;
            }

            WriteBar(output, Bars, i, x, barWidth, scale);
            if (Part is not null && Part.Values[i] > 0)
            {
                WriteBar(output, Part, i, x, barWidth, scale);
            }

            if (showValues)
            {
                output.Markup(Invariant($"<text class=\"mt-chart-value\" x=\"{x + (barWidth / 2):0.#}\" y=\"{Y(value, scale) - 5:0.#}\" text-anchor=\"middle\">"));
                output.Text(FormatValue(value));
                output.Markup("</text>");
            }
        }
    }

    private void WriteBar(IHtmlOutput output, BarSeries series, int bucket, double x, double width, AxisScale scale)
    {
        var value = series.Values[bucket];
        var y = Y(value, scale);

        // A bar never vanishes: the smallest value still shows a pixel.
        var height = Math.Max(1, Top + PlotHeight - y);
        output.Markup("<rect class=\"mt-chart-bar ");
        output.Text(series.CssClass);
        output.Markup(Invariant($"\" x=\"{x:0.#}\" y=\"{Top + PlotHeight - height:0.#}\" width=\"{width:0.#}\" height=\"{height:0.#}\"><title>"));
        output.Text($"{BucketNames[bucket]}: {FormatValue(value)} {Unit}{(Part is null ? "" : " " + series.Name)}");
        output.Markup("</title></rect>");
    }

    private void WriteTimeAxis(IHtmlOutput output)
    {
        var baseline = Top + PlotHeight;
        output.Markup(Invariant($"<line class=\"mt-chart-axis\" x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{baseline}\" y2=\"{baseline}\"/>"));
        var slot = PlotWidth / Math.Max(1, Labels.Count);
        var every = Math.Max(1, (int)Math.Ceiling(MinLabelSpacing / slot));
        for (var i = 0; i < Labels.Count; i += every)
        {
            var x = Left + (i * slot) + (slot / 2);
            output.Markup(Invariant($"<line class=\"mt-chart-axis\" x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{baseline}\" y2=\"{baseline + 4}\"/>"));
            output.Markup(Invariant($"<text class=\"mt-chart-tick\" x=\"{x:0.#}\" y=\"{baseline + 17}\" text-anchor=\"middle\">"));
            output.Text(Labels[i]);
            output.Markup("</text>");
        }

        output.Markup(Invariant($"<text class=\"mt-chart-axis-title\" x=\"{Left + (PlotWidth / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">"));
        output.Text(TimeAxis);
        output.Markup("</text>");
    }

    private void WriteLegend(IHtmlOutput output)
    {
        if (Part is null)
        {
            return;
        }

        var x = Left;
        foreach (var series in new[] { Bars, Part })
        {
            output.Markup("<rect class=\"mt-chart-bar ");
            output.Text(series.CssClass);
            output.Markup(Invariant($"\" x=\"{x}\" y=\"10\" width=\"12\" height=\"12\"/><text class=\"mt-chart-legend\" x=\"{x + 17}\" y=\"20\">"));
            output.Text(series.Name);
            output.Markup("</text>");
            x += 30 + (series.Name.Length * 7);
        }
    }
}
