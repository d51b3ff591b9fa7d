using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using MergeTrain.Application.Diagnostics;

namespace MergeTrain.Server.Metrics;

/// <summary>
/// Listens to the <see cref="MergeTrainMetrics"/> meter and writes what it heard in Prometheus's
/// text format: counters as sums, histograms as cumulative buckets, gauges as last values. No
/// exporter package is available here, and the format is small.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly Dictionary<string, double[]> Buckets = new(StringComparer.Ordinal)
    {
        ["mergetrain_time_to_merge_seconds"] = [60, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400],
        ["mergetrain_job_start_latency_seconds"] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _sums = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _gauges = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), HistogramState> _histograms = new();

    /// <summary>Starts listening.</summary>
    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MergeTrainMetrics.MeterName)
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The text exposition of everything heard so far (gauges observed now).</summary>
    public string Write()
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var instrument in _instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var name = instrument.Name;
            var type = instrument switch
            {
                Histogram<double> => "histogram",
                ObservableGauge<long> or ObservableGauge<double> => "gauge",
                _ => "counter",
            };
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {instrument.Description}\n# TYPE {name} {type}\n");
            switch (type)
            {
                case "histogram":
                    foreach (var ((_, labels), state) in _histograms.Where(h => h.Key.Name == name).OrderBy(h => h.Key.Labels, StringComparer.Ordinal))
                    {
                        state.Write(text, name, labels);
                    }

                    break;
                default:
                    var series = type == "gauge" ? _gauges : _sums;
                    foreach (var ((_, labels), value) in series.Where(s => s.Key.Name == name).OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}{Braces(labels)} {Number(value)}\n");
                    }

                    break;
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        switch (instrument)
        {
            case Histogram<double>:
                _histograms.GetOrAdd((instrument.Name, labels), _ => new HistogramState(Buckets.GetValueOrDefault(instrument.Name) ?? [1, 10, 100])).Record(value);
                break;
            case ObservableGauge<long> or ObservableGauge<double>:
                _gauges[(instrument.Name, labels)] = value;
                break;
            default:
                _sums.AddOrUpdate((instrument.Name, labels), value, (_, sum) => sum + value);
                break;
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{tag.Key}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private sealed class HistogramState(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length];
        private readonly Lock _gate = new();
        private double _sum;
        private long _count;

        public void Record(double value)
        {
            lock (_gate)
            {
                _sum += value;
                _count++;
                for (var i = 0; i < bounds.Length; i++)
                {
                    if (value <= bounds[i])
                    {
                        _counts[i]++;
                    }
                }
            }
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                var prefix = labels.Length == 0 ? "" : labels + ",";
                for (var i = 0; i < bounds.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{Number(bounds[i])}\"}} {_counts[i]}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {_count}\n");
                text.Append(CultureInfo.InvariantCulture, $"{name}_sum{Braces(labels)} {Number(_sum)}\n");
                text.Append(CultureInfo.InvariantCulture, $"{name}_count{Braces(labels)} {_count}\n");
            }
        }
    }
}
