namespace MergeTrain.Server.Dashboard.Svg;

/// <summary>
/// A value axis people can read: it starts at zero and ticks at round steps (1, 2, 2.5 or 5 times
/// a power of ten), about four of them, with room above the tallest bar for its value.
/// </summary>
internal sealed record AxisScale(double Top, double Step)
{
    private const int TargetTicks = 4;

    /// <summary>The ticks from zero to <see cref="Top"/>.</summary>
    public IEnumerable<double> Ticks => Enumerable.Range(0, (int)Math.Round(Top / Step) + 1).Select(i => i * Step);

    /// <summary>Decimals a tick label needs at this step (0.25 needs two).</summary>
    public int Decimals
    {
        get
        {
            var decimals = 0;
            while (decimals < 3 && Math.Abs((Step * Math.Pow(10, decimals)) - Math.Round(Step * Math.Pow(10, decimals))) > 1e-9)
            {
                decimals++;
            }

            return decimals;
        }
    }

    /// <summary>The scale for values up to <paramref name="max"/> (positive); <paramref name="wholeNumbers"/> keeps steps of at least 1.</summary>
    public static AxisScale For(double max, bool wholeNumbers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var raw = max / TargetTicks;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / magnitude) switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 2.5 => 2.5,
            <= 5 => 5,
            _ => 10,
        } * magnitude;
        if (wholeNumbers)
        {
            step = Math.Max(1, Math.Ceiling(step));
        }

        var top = Math.Ceiling((max / step) - 1e-9) * step;
        if (max / top > 0.9)
        {
            top += step;
        }

        return new AxisScale(top, step);
    }
}
