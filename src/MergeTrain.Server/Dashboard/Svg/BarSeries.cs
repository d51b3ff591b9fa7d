namespace MergeTrain.Server.Dashboard.Svg;

/// <summary>One value per bucket of a bar chart, with the name its legend gives it and the CSS class that colours it.</summary>
internal sealed record BarSeries(string Name, string CssClass, IReadOnlyList<double> Values);
