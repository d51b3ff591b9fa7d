using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MergeTrain.Server.Dashboard;
using MergeTrain.Server.Dashboard.Svg;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Dashboard;

/// <summary>The charts' SVG: bars where there are values, round ticks, spaced labels, encoded text, a message when empty.</summary>
public class BarChartTests
{
    private static readonly string[] Hours = [.. Enumerable.Range(0, 24).Select(h => $"{h:00}:00")];

    [Test]
    public void A_chart_without_values_says_so_and_draws_no_bar()
    {
        var svg = Render(Chart(new double[24]));

        svg.ShouldContain(">No merge today</text>");
        Count(svg, "<rect").ShouldBe(0);
        Count(svg, "class=\"mt-chart-tick\"").ShouldBe(8, "the time axis stays, labelled");
    }

    [Test]
    public void Each_value_gets_a_bar_with_its_value_above_it_and_the_axis_ticks_at_whole_numbers()
    {
        var values = new double[24];
        values[5] = 1;
        values[23] = 3;

        var svg = Render(Chart(values));

        Count(svg, "<rect class=\"mt-chart-bar mt-bar\"").ShouldBe(2);
        svg.ShouldContain("<title>05:00 slot: 1 merges</title>");
        Regex.Matches(svg, "class=\"mt-chart-tick\" x=\"56\"[^>]*>(?<tick>[^<]+)<").Select(m => m.Groups["tick"].Value).ShouldBe(["0", "1", "2", "3", "4"]);
        Regex.Matches(svg, "class=\"mt-chart-value\"[^>]*>(?<value>[^<]+)<").Select(m => m.Groups["value"].Value).ShouldBe(["1", "3"]);
        svg.ShouldContain(">00:00</text>");
        svg.ShouldContain(">03:00</text>");
        svg.ShouldNotContain(">01:00</text>", customMessage: "24 labels would collide: every third is shown");
    }

    [Test]
    public void Bars_are_at_most_40_wide_and_a_part_series_is_drawn_over_its_bars_with_a_legend()
    {
        var chart = new BarChart
        {
            Title = "Pipeline time",
            Unit = "seconds",
            TimeAxis = "hour (UTC)",
            Labels = ["a", "b", "c"],
            BucketNames = ["a", "b", "c"],
            Bars = new BarSeries("spent", "mt-bar-spent", [10, 0, 7.5]),
            Part = new BarSeries("wasted", "mt-bar-wasted", [2.5, 0, 0]),
            EmptyMessage = "nothing",
        };

        var svg = Render(chart);

        Regex.Matches(svg, "<rect class=\"mt-chart-bar mt-bar-spent\" x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"(?<w>[0-9.]+)\" height=\"[0-9.]+\"><title>")
            .Select(m => double.Parse(m.Groups["w"].Value, System.Globalization.CultureInfo.InvariantCulture)).ShouldAllBe(width => width == 40);
        Count(svg, "mt-bar-wasted\" x=").ShouldBe(2, "one part bar and its legend swatch");
        svg.ShouldContain(">wasted</text>");
        svg.ShouldContain("<title>a: 2.5 seconds wasted</title>");
        Regex.Matches(svg, "class=\"mt-chart-tick\" x=\"56\"[^>]*>(?<tick>[^<]+)<").Select(m => m.Groups["tick"].Value).ShouldBe(["0", "2.5", "5", "7.5", "10", "12.5"]);
    }

    [Test]
    public void Text_from_data_is_encoded()
    {
        var chart = Chart(new double[24]);
        var hostile = new BarChart
        {
            Title = "<script>x</script>",
            Unit = chart.Unit,
            TimeAxis = chart.TimeAxis,
            Labels = chart.Labels,
            BucketNames = chart.BucketNames,
            Bars = chart.Bars,
            EmptyMessage = "<b>none</b>",
        };

        var svg = Render(hostile);

        svg.ShouldContain("&lt;script&gt;x&lt;/script&gt;");
        svg.ShouldContain("&lt;b&gt;none&lt;/b&gt;");
        svg.ShouldNotContain("<script>");
    }

    [TestCase(7, false, 2, 8)]
    [TestCase(7.3, false, 2, 10)]
    [TestCase(1, true, 1, 2)]
    [TestCase(0.013, false, 0.005, 0.015)]
    [TestCase(900, false, 250, 1000)]
    [TestCase(1000, false, 250, 1250)]
    public void The_value_axis_steps_round(double max, bool wholeNumbers, double step, double top)
    {
        var scale = AxisScale.For(max, wholeNumbers);

        scale.Step.ShouldBe(step, 1e-12);
        scale.Top.ShouldBe(top, 1e-12);
    }

    private static BarChart Chart(double[] values) => new()
    {
        Title = "Merges per hour",
        Unit = "merges",
        TimeAxis = "hour (UTC)",
        Labels = Hours,
        BucketNames = [.. Hours.Select(h => $"{h} slot")],
        Bars = new BarSeries("merged", "mt-bar", values),
        WholeNumbers = true,
        EmptyMessage = "No merge today",
    };

    private static int Count(string text, string part) => Regex.Count(text, Regex.Escape(part));

    private static string Render(BarChart chart)
    {
        var output = new EncodingOutput();
        chart.WriteTo(output);
        return output.ToString();
    }

    private sealed class EncodingOutput : IHtmlOutput
    {
        private readonly StringBuilder _html = new();

        public void Markup(string markup) => _html.Append(markup);

        public void Text(object? value) => _html.Append(WebUtility.HtmlEncode(value?.ToString()));

        public override string ToString() => _html.ToString();
    }
}
