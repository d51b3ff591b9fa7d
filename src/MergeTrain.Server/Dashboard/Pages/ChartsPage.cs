using MergeTrain.Postgres.Dashboard;
using MergeTrain.Server.Dashboard.Svg;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>Merges, time to merge, and pipeline time spent and wasted, per bucket of the chosen period (<see cref="ChartRange"/>).</summary>
internal sealed class ChartsPage : MergeTrainPage
{
    protected override string Title => "Charts";

    private ChartRange Range => ChartRange.Named(QueryValue("range"));

    protected override void WriteStatic()
    {
        var current = Range;
        WriteLiteral("<ul class=\"nav nav-pills mt-filter\">");
        foreach (var range in ChartRange.All)
        {
            WriteLiteral(range == current ? "<li class=\"active\">" : "<li>");
            Output.Link(Url.To($"{MergeTrainPages.Charts}?range={range.Key}"), range.Name);
            WriteLiteral("</li>");
        }

        WriteLiteral("</ul>");
    }

    protected override void WriteLive()
    {
        var range = Range;
        var window = range.WindowAt(Now);
        var (merges, timeToMerge, pipelines) = Read(connection => (
            DashboardQueries.MergesIn(connection, window),
            DashboardQueries.TimeToMergeIn(connection, window),
            DashboardQueries.PipelineTimeIn(connection, window)));
        var starts = range.Starts(window);
        double[] PerBucket<T>(IReadOnlyList<T> points, Func<T, DateTimeOffset> period, Func<T, double> value)
        {
            var byPeriod = points.ToDictionary(period, value);
            return [.. starts.Select(start => byPeriod.GetValueOrDefault(start))];
        }

        var mergeCounts = PerBucket(merges, p => p.Period, p => p.Value);
        var secondsToMerge = PerBucket(timeToMerge, p => p.Period, p => p.Value);
        var spent = PerBucket(pipelines, p => p.Period, p => p.SpentSeconds);
        var wasted = PerBucket(pipelines, p => p.Period, p => p.WastedSeconds);
        WriteSummary(range, mergeCounts, secondsToMerge, spent.Sum(), wasted.Sum());

        var labels = starts.Select(range.Label).ToList();
        var names = starts.Select(range.Describe).ToList();
        var timeAxis = $"{range.BucketName} (UTC)";
        var mergeUnit = TimeUnit.For(secondsToMerge.DefaultIfEmpty().Max());
        var pipelineUnit = TimeUnit.For(spent.DefaultIfEmpty().Max());
        WriteLiteral("<div class=\"row\"><div class=\"col-md-6\">");
        new BarChart
        {
            Title = $"Merges per {range.BucketName}",
            Unit = "merges",
            TimeAxis = timeAxis,
            Labels = labels,
            BucketNames = names,
            Bars = new BarSeries("merged", "mt-bar-merges", mergeCounts),
            WholeNumbers = true,
            EmptyMessage = $"No merge in the {range.Name.ToLowerInvariant()}",
        }.WriteTo(Output);
        WriteLiteral("</div><div class=\"col-md-6\">");
        new BarChart
        {
            Title = "Time to merge",
            Unit = mergeUnit.Name,
            TimeAxis = timeAxis,
            Labels = labels,
            BucketNames = names,
            Bars = new BarSeries("average", "mt-bar-time", [.. secondsToMerge.Select(mergeUnit.Of)]),
            EmptyMessage = $"No merge in the {range.Name.ToLowerInvariant()}",
            Note = $"Each bar: the average time from being added to the train to being merged, of the merge requests merged in its {range.BucketName}.",
        }.WriteTo(Output);
        WriteLiteral("</div></div><div class=\"row\"><div class=\"col-md-6\">");
        new BarChart
        {
            Title = "Pipeline time spent and wasted",
            Unit = pipelineUnit.Name,
            TimeAxis = timeAxis,
            Labels = labels,
            BucketNames = names,
            Bars = new BarSeries("spent", "mt-bar-spent", [.. spent.Select(pipelineUnit.Of)]),
            Part = new BarSeries("wasted", "mt-bar-wasted", [.. wasted.Select(pipelineUnit.Of)]),
            EmptyMessage = $"No pipeline ended in the {range.Name.ToLowerInvariant()}",
            Note = $"Each bar: the pipelines that ended in its {range.BucketName}. Wasted: cancelled, or thrown away because the car was rebuilt.",
        }.WriteTo(Output);
        WriteLiteral("</div></div>");
    }

    // The buckets' averages weighted by their merges: the average of the whole period.
    private void WriteSummary(ChartRange range, double[] mergeCounts, double[] secondsToMerge, double spentSeconds, double wastedSeconds)
    {
        var merged = mergeCounts.Sum();
        WriteLiteral("<p class=\"lead mt-chart-summary\">");
        var average = merged > 0
            ? $", taking {HtmlFragments.Duration(TimeSpan.FromSeconds(mergeCounts.Zip(secondsToMerge, (count, seconds) => count * seconds).Sum() / merged))} on average"
            : "";
        Write($"{range.Name}: {merged:0} merged{average}; pipelines ran for {HtmlFragments.Duration(TimeSpan.FromSeconds(spentSeconds))}");
        if (spentSeconds > 0)
        {
            Write($", of which {HtmlFragments.Duration(TimeSpan.FromSeconds(wastedSeconds))} ({100 * wastedSeconds / spentSeconds:0}%) wasted");
        }

        Write(".");
        WriteLiteral("</p>");
    }
}
