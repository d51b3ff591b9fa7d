using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using MergeTrain.Application.Diagnostics;
using Prometheus;

namespace MergeTrain.Server.Metrics;

/// <summary>
/// Carries what the <see cref="MergeTrainMetrics"/> instruments record into this host's
/// prometheus-net registry, under each instrument's own name, description and bucket bounds.
/// prometheus-net's own <c>MeterAdapter</c> is not used: it prefixes the meter's name, exposes
/// counters as gauges and forgets series idle for five minutes, which would change every
/// existing metric's name or meaning. Label names are the measurement's tag names, sorted.
/// </summary>
public sealed class MeterBridge : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly MetricFactory _factory;
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly ILogger<MeterBridge> _logger;

    /// <summary>Starts listening; measurements made before this are not seen.</summary>
    public MeterBridge(CollectorRegistry registry, ILogger<MeterBridge> logger)
    {
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _logger = logger;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != MergeTrainMetrics.MeterName)
            {
                return;
            }

            // Fail loudly at start for a kind this bridge would otherwise drop without a word.
            if (instrument is not (Counter<long> or Counter<double> or Histogram<double>))
            {
                throw new NotSupportedException($"Instrument {instrument.Name} is a {instrument.GetType().Name}; the Prometheus bridge carries counters and double histograms.");
            }

            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    // Called on the recording thread: it must not throw into the code that counted something.
    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var names = Array.ConvertAll(sorted, tag => tag.Key);
        var series = _series.GetOrAdd(instrument, Create, names);
        if (!series.LabelNames.SequenceEqual(names, StringComparer.Ordinal))
        {
            _logger.LogWarning("Dropped a measurement of {Instrument} with tags {Tags}: it is exported with labels {Labels}", instrument.Name, names, series.LabelNames);
            return;
        }

        if (value < 0 && series.IsCounter)
        {
            _logger.LogWarning("Dropped a negative increment {Value} of counter {Instrument}", value, instrument.Name);
            return;
        }

        series.Record(Array.ConvertAll(sorted, tag => Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""), value);
    }

    private Series Create(Instrument instrument, string[] labelNames)
    {
        var help = instrument.Description ?? instrument.Name;
        if (instrument is Histogram<double> histogram)
        {
            var buckets = histogram.Advice?.HistogramBucketBoundaries?.ToArray();
            var collector = _factory.CreateHistogram(instrument.Name, help, labelNames, new HistogramConfiguration { Buckets = buckets });
            return new Series(labelNames, false, (labels, value) => collector.WithLabels(labels).Observe(value));
        }

        var counter = _factory.CreateCounter(instrument.Name, help, labelNames);
        return new Series(labelNames, true, (labels, value) => counter.WithLabels(labels).Inc(value));
    }

    private sealed record Series(string[] LabelNames, bool IsCounter, Action<string[], double> Record);
}
