using System.Text.Json;
using InsightsFunctions.Cli.Commands;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.CliCommands;

/// <summary>The figures <c>insights serve --stats FILE</c> writes at stop, from this host's meter only.</summary>
[Trait("Category", "Unit")]
public sealed class ServeStatsRecorderTests
{
    [Fact]
    public void TheFile_HoldsThisHostsEventsFreshnessPercentilesAndTableRequests_NotAnotherHosts()
    {
        var metrics = TestMetrics.Create();
        var other = TestMetrics.Create(); // another host in the same process
        using var recorder = new ServeStatsRecorder(metrics.Meter);
        for (var ms = 1; ms <= 200; ms++)
        {
            metrics.Freshness.Record(ms);
        }
        metrics.Freshness.Record(12_345.4);
        metrics.EventsConsumed.Add(150);
        metrics.EventsConsumed.Add(51);
        metrics.TableRequests.Add(9);
        other.Freshness.Record(999_999);
        other.EventsConsumed.Add(1_000);
        other.TableRequests.Add(1_000);
        var path = Path.Combine(Path.GetTempPath(), $"serve-stats-{Guid.NewGuid():N}.json");

        recorder.WriteTo(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        File.Delete(path);
        var root = json.RootElement;
        Assert.Equal(201, root.GetProperty("events_consumed").GetInt64());
        Assert.Equal(9, root.GetProperty("table_requests").GetInt64());
        var freshness = root.GetProperty("freshness_ms");
        Assert.Equal(201, freshness.GetProperty("count").GetInt64());
        Assert.Equal(101, freshness.GetProperty("p50").GetInt64()); // nearest rank: the 101st of 201
        Assert.Equal(199, freshness.GetProperty("p99").GetInt64()); // the 199th
        Assert.Equal(12_345, freshness.GetProperty("max").GetDouble());
        Assert.True(root.GetProperty("cpu_ms").GetDouble() >= 0);
    }

    [Fact]
    public void WithNothingConsumed_FreshnessIsNull_NotZero()
    {
        var metrics = TestMetrics.Create();
        using var recorder = new ServeStatsRecorder(metrics.Meter);
        var path = Path.Combine(Path.GetTempPath(), $"serve-stats-{Guid.NewGuid():N}.json");

        recorder.WriteTo(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        File.Delete(path);
        var freshness = json.RootElement.GetProperty("freshness_ms");
        Assert.Equal(JsonValueKind.Null, freshness.GetProperty("p50").ValueKind);
        Assert.Equal(JsonValueKind.Null, freshness.GetProperty("max").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("events_consumed").GetInt64());
    }
}
