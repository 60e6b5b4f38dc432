using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Cli.Commands;

/// <summary>
/// What <c>insights serve --stats FILE</c> writes when the host stops: events consumed, freshness p50/p99/max (ms, from
/// <c>insights.consumer.freshness</c>), Table requests (<c>insights.table.requests</c>) and the process's CPU time from the
/// recorder's start to the stop. It listens to this host's meter only, in the CLI: the Functions app carries no listener,
/// so its freshness histogram stays disabled there unless a collector (OpenTelemetry) asks for it. Freshness is kept in
/// 1-ms buckets up to <see cref="MaxTrackedMs"/> (a percentile past it reads as that bound; the maximum stays exact), so
/// memory does not grow with the run.
/// </summary>
public sealed class ServeStatsRecorder : IDisposable
{
    /// <summary>The largest freshness kept at 1-ms resolution.</summary>
    public const int MaxTrackedMs = 600_000;

    private readonly MeterListener _listener = new();
    private readonly long[] _buckets = new long[MaxTrackedMs + 1];
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private long _consumed;
    private long _tableRequests;
    private long _freshnessCount;
    private double _freshnessMax;
    private readonly Lock _maxGate = new();

    public ServeStatsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name is PipelineMetrics.FreshnessName or ConsumedName or TableRequestsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => RecordFreshness(value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == ConsumedName)
            {
                Interlocked.Add(ref _consumed, value);
            }
            else
            {
                Interlocked.Add(ref _tableRequests, value);
            }
        });
        _listener.Start();
    }

    private const string ConsumedName = "insights.events.consumed";
    private const string TableRequestsName = "insights.table.requests";

    private void RecordFreshness(double ms)
    {
        var bucket = (int)Math.Clamp(Math.Round(ms), 0, MaxTrackedMs);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _freshnessCount);
        lock (_maxGate)
        {
            _freshnessMax = Math.Max(_freshnessMax, ms);
        }
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the freshness recorded so far, in whole ms; null when none was.</summary>
    public long? FreshnessPercentile(double quantile)
    {
        var count = Interlocked.Read(ref _freshnessCount);
        if (count == 0)
        {
            return null;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * count)); // nearest-rank
        long seen = 0;
        for (var ms = 0; ms <= MaxTrackedMs; ms++)
        {
            seen += Interlocked.Read(ref _buckets[ms]);
            if (seen >= rank)
            {
                return ms;
            }
        }
        return MaxTrackedMs;
    }

    public long EventsConsumed => Interlocked.Read(ref _consumed);

    public long TableRequests => Interlocked.Read(ref _tableRequests);

    /// <summary>Writes the figures as a small JSON object to <paramref name="path"/> (replacing it).</summary>
    public void WriteTo(string path)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
        var consumed = EventsConsumed;
        double max;
        lock (_maxGate)
        {
            max = _freshnessMax;
        }
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("started_at", _startedAt);
        json.WriteString("stopped_at", DateTimeOffset.UtcNow);
        json.WriteNumber("events_consumed", consumed);
        json.WriteStartObject("freshness_ms");
        json.WriteNumber("count", Interlocked.Read(ref _freshnessCount));
        WriteNullable(json, "p50", FreshnessPercentile(0.50));
        WriteNullable(json, "p99", FreshnessPercentile(0.99));
        if (Interlocked.Read(ref _freshnessCount) > 0)
        {
            json.WriteNumber("max", Math.Round(max));
        }
        else
        {
            json.WriteNull("max");
        }
        json.WriteEndObject();
        json.WriteNumber("table_requests", TableRequests);
        json.WriteNumber("cpu_ms", Math.Round(cpu.TotalMilliseconds));
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public void Dispose() => _listener.Dispose();
}
