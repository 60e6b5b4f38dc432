using System.Globalization;
using DuckDB.NET.Data;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Exports;
using InsightsFunctions.Hipaa;
using InsightsFunctions.Ingest;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;

using InsightsFunctions.Tests.Support;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Tests.Exports;

/// <summary>
/// Parquet and CSV exports read back by an independent reader (DuckDB), not by our writer code: the same row
/// counts, column types and values as the rows written, each conversation exactly once across the date files.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DatasetExportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("insights-exports-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A simulated day that crosses midnight, stitched in memory, as the rows the Conversations table holds.</summary>
    private static async Task<List<IReadOnlyDictionary<string, object?>>> ConversationRowsAsync()
    {
        var mapper = new TaskRouterEnvelopeMapper(new AttributeFilter(HipaaAllowList.Default));
        var envelopes = ContactCenterSimulator.Generate(new SimulationOptions
            {
                Agents = 10, Queues = 2, Hours = 2, Seed = 5, Start = DateTimeOffset.Parse("2026-11-24T23:00:00Z", CultureInfo.InvariantCulture),
                AccountSid = "AC00000000000000000000000000000001", WorkspaceSid = "WS00000000000000000000000000000001",
            })
            .OrderBy(e => e.TimestampMs)
            .Select(e => mapper.Map(TaskRouterEventValidator.Validate(e.Fields).Event!, false, DateTimeOffset.UtcNow))
            .ToList();
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var service = new StitchingService(store, new ConversationLinker(index), index,
            new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC")));
        await service.HandleAsync(envelopes, CancellationToken.None);
        var updatedAt = DateTimeOffset.Parse("2026-11-25T02:00:00Z", CultureInfo.InvariantCulture);
        return store.Conversations.Values
            .Select(c => (IReadOnlyDictionary<string, object?>)DatasetEntities.ToEntity(c.Conversation, "p", updatedAt).ToDictionary(kv => kv.Key, kv => (object?)kv.Value))
            .ToList();
    }

    private static async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Pages(List<IReadOnlyDictionary<string, object?>> rows, int size)
    {
        foreach (var page in rows.Chunk(size))
        {
            await Task.Yield();
            yield return page;
        }
    }

    private async Task<Dictionary<string, List<IReadOnlyDictionary<string, object?>>>> ExportAsync(List<IReadOnlyDictionary<string, object?>> rows)
    {
        var byDate = rows.GroupBy(r => (string)r["date"]!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (date, dateRows) in byDate)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_root, "conversations", $"date={date}")).FullName;
            var columns = ExportSchemas.Conversations(ExportSchemas.CustomAttributesOf(dateRows));
            await using (var parquet = File.Create(Path.Combine(dir, "conversations.parquet")))
            {
                Assert.Equal(dateRows.Count, await ParquetDatasetWriter.WriteAsync(parquet, columns, Pages(dateRows, 40), CancellationToken.None));
            }
            await using var csv = File.Create(Path.Combine(dir, "conversations.csv"));
            Assert.Equal(dateRows.Count, await CsvDatasetWriter.WriteAsync(csv, columns, Pages(dateRows, 40), CancellationToken.None));
        }
        return byDate;
    }

    private static List<object?[]> Query(string sql) => DuckDb.Query(sql);

    [Fact]
    public async Task DuckDb_ReadsTheParquetPartitions_WithTheRowsTypesAndValuesWritten()
    {
        var rows = await ConversationRowsAsync();
        var byDate = await ExportAsync(rows);
        Assert.Equal(["2026-11-24", "2026-11-25"], byDate.Keys.Order()); // the day crosses midnight: two partitions
        var parquet = $"read_parquet('{_root}/conversations/date=*/conversations.parquet', hive_partitioning = false)";

        // Each conversation exactly once across the date files.
        var counts = Query($"SELECT count(*), count(DISTINCT conversation_id) FROM {parquet}").Single();
        Assert.Equal((long)rows.Count, Convert.ToInt64(counts[0], CultureInfo.InvariantCulture));
        Assert.Equal((long)rows.Count, Convert.ToInt64(counts[1], CultureInfo.InvariantCulture));

        // Typed columns.
        var types = Query($"DESCRIBE SELECT started_at, talk_time, handled, segments, agent_name FROM {parquet}").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.StartsWith("TIMESTAMP", types["started_at"]);
        Assert.Equal("DOUBLE", types["talk_time"]);
        Assert.Equal("BOOLEAN", types["handled"]);
        Assert.Equal("BIGINT", types["segments"]);
        Assert.Equal("VARCHAR", types["agent_name"]);

        // Values: aggregates and one row, against the rows written.
        var totals = Query($"SELECT CAST(sum(CASE WHEN handled THEN 1 ELSE 0 END) AS BIGINT), round(sum(talk_time), 3), count(talk_time) FROM {parquet}").Single();
        Assert.Equal(rows.Count(r => (string?)r["handled"] == "Yes"), Convert.ToInt32(totals[0], CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(rows.Sum(r => r.TryGetValue("talk_time", out var t) && t is double d ? d : 0), 3), Convert.ToDouble(totals[1], CultureInfo.InvariantCulture), 3);
        Assert.Equal(rows.Count(r => r.ContainsKey("talk_time")), Convert.ToInt32(totals[2], CultureInfo.InvariantCulture)); // unknown stays empty, not 0
        var sample = rows.First(r => r.ContainsKey("ended_at"));
        var read = Query($"SELECT epoch_ms(started_at), epoch_ms(ended_at), queue_time, first_queue_name, abandoned FROM {parquet} WHERE conversation_id = '{sample["conversation_id"]}'").Single();
        Assert.Equal(((DateTimeOffset)sample["started_at"]!).ToUnixTimeMilliseconds(), Convert.ToInt64(read[0], CultureInfo.InvariantCulture));
        Assert.Equal(((DateTimeOffset)sample["ended_at"]!).ToUnixTimeMilliseconds(), Convert.ToInt64(read[1], CultureInfo.InvariantCulture));
        Assert.Equal(sample.GetValueOrDefault("queue_time"), read[2]);
        Assert.Equal(sample["first_queue_name"], read[3]);
        Assert.Equal((string?)sample["abandoned"] == "Yes", read[4]);
    }

    [Fact]
    public async Task DuckDb_ReadsTheCsvs_AsRfc4180_WithTheSameRowsAsTheParquet()
    {
        var rows = await ConversationRowsAsync();
        await ExportAsync(rows);
        var csv = $"read_csv('{_root}/conversations/date=*/conversations.csv', header = true, union_by_name = true, auto_detect = true)";
        var parquet = $"read_parquet('{_root}/conversations/date=*/conversations.parquet')";

        Assert.Equal((long)rows.Count, Convert.ToInt64(Query($"SELECT count(*) FROM {csv}").Single()[0], CultureInfo.InvariantCulture));
        // The same values row by row: the CSV's ISO timestamps, Yes/No flags and numbers mean what the Parquet holds.
        var mismatches = Query($"""
            SELECT count(*) FROM {parquet} p JOIN {csv} c USING (conversation_id)
            WHERE c.started_at::TIMESTAMP <> p.started_at::TIMESTAMP
               OR coalesce(c.talk_time::DOUBLE, -1) <> coalesce(p.talk_time, -1)
               OR (c.handled = 'Yes') <> p.handled
               OR coalesce(c.agent_name::VARCHAR, '') <> coalesce(p.agent_name, '')
            """).Single();
        Assert.Equal(0L, Convert.ToInt64(mismatches[0], CultureInfo.InvariantCulture));
        var header = File.ReadLines(Directory.GetFiles(_root, "conversations.csv", SearchOption.AllDirectories)[0]).First();
        Assert.StartsWith("conversation_id,account_sid,workspace_sid,date,started_at,ended_at,", header);
    }

    [Fact]
    public async Task Csv_QuotesCommasQuotesAndLineBreaks_AndAnEmptyPartitionStillHasItsSchema()
    {
        var columns = new[] { new ExportColumn("id", ColumnType.Text), new ExportColumn("note", ColumnType.Text), new ExportColumn("at", ColumnType.Timestamp) };
        IReadOnlyDictionary<string, object?> row = new Dictionary<string, object?>
        {
            ["id"] = "C1", ["note"] = "a, \"quoted\"\nline", ["at"] = new DateTime(2026, 11, 24, 10, 15, 2, 123, DateTimeKind.Utc),
        };
        using var csv = new MemoryStream();
        await CsvDatasetWriter.WriteAsync(csv, columns, Pages([row], 10), CancellationToken.None);
        Assert.Equal("id,note,at\r\nC1,\"a, \"\"quoted\"\"\nline\",2026-11-24T10:15:02.123Z\r\n", System.Text.Encoding.UTF8.GetString(csv.ToArray()));

        var path = Path.Combine(_root, "empty.parquet");
        await using (var parquet = File.Create(path))
        {
            Assert.Equal(0, await ParquetDatasetWriter.WriteAsync(parquet, columns, Pages([], 10), CancellationToken.None));
        }
        Assert.Equal(0L, Convert.ToInt64(Query($"SELECT count(*) FROM read_parquet('{path}')").Single()[0], CultureInfo.InvariantCulture));
        Assert.Equal(["id", "note", "at"], Query($"DESCRIBE SELECT * FROM read_parquet('{path}')").Select(r => (string)r[0]!));
    }
}
