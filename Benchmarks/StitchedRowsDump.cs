using InsightsFunctions.Configuration;
using InsightsFunctions.Stitching;
using InsightsFunctions.TestSupport;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// Writes every conversation the in-memory stitcher produces for a simulated day, one JSON line each, ordered
/// by conversation id: run it before and after a change to the stitcher and compare the files, to show a
/// refactoring left every row as it was. Run: <c>dotnet run -c Release --project Benchmarks -- rows FILE [agents] [hours] [batch]</c>.
/// </summary>
public static class StitchedRowsDump
{
    public static async Task RunAsync(string path, int agents, double hours, int batch)
    {
        var (_, envelopes) = SimulatedEnvelopes.Generate(agents, 8, hours, 2026);
        var store = new InMemoryConversationStore();
        var index = new InMemoryLinkIndex();
        var builder = new ConversationBuilder(new SegmentBuilder(new SlaPolicy(new SlaOptions())), new ReportingClock("UTC"));
        var service = new StitchingService(store, new ConversationLinker(index), index, builder);
        for (var i = 0; i < envelopes.Count; i += batch)
        {
            await service.HandleAsync(envelopes.GetRange(i, Math.Min(batch, envelopes.Count - i)), CancellationToken.None);
        }
        using var writer = new StreamWriter(path);
        foreach (var conversation in store.Conversations.Values.OrderBy(c => c.Conversation.ConversationId, StringComparer.Ordinal))
        {
            writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(conversation));
        }
    }
}
