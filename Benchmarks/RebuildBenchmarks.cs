using BenchmarkDotNet.Attributes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Events;
using InsightsFunctions.Stitching;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// One conversation rebuild, the unit the stitcher repeats (about 2.8 times per conversation over a
/// 1,000-agent day): timelines from the held events, then <see cref="ConversationBuilder.Build"/>. Per
/// conversation, over 1,000 conversations of a simulated hour. A stable figure for the throughput work,
/// where the day driver's runs vary by ~15 % on this machine.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class RebuildBenchmarks
{
    private const int Conversations = 1000;
    private List<List<(string Task, EventEnvelope[] Events)>> _conversations = [];
    private ConversationBuilder _builder = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var (_, envelopes) = SimulatedEnvelopes.Generate(200, 4, 1, 3);
        _builder = new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC"));
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        await new StitchingService(store, new ConversationLinker(index), index, _builder).HandleAsync(envelopes, CancellationToken.None);
        var byTask = envelopes.Where(e => e.Task is not null).GroupBy(e => e.Task!.Sid).ToDictionary(g => g.Key, g => g.ToArray());
        _conversations = store.Conversations.Values.Take(Conversations)
            .Select(c => c.Conversation.TaskSids.Select(t => (t, byTask[t])).ToList())
            .ToList();
        if (_conversations.Count < Conversations)
        {
            throw new InvalidOperationException("Not enough simulated conversations.");
        }
    }

    [Benchmark(OperationsPerInvoke = Conversations)]
    public int Rebuild()
    {
        var segments = 0;
        foreach (var tasks in _conversations)
        {
            segments += _builder.Build(tasks.Select(t => TaskTimeline.From(t.Task, t.Events))).Segments.Count;
        }
        return segments;
    }
}
