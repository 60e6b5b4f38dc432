using InsightsFunctions.Events;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Two consumer instances' views of one stream after a rebalance: each gets a share, some events go to both, and each
/// stitches its share in random batches.
/// </summary>
public static class OverlappingShares
{
    public static (List<EventEnvelope> A, List<EventEnvelope> B) Split(IEnumerable<EventEnvelope> events, Random random)
    {
        var (a, b) = (new List<EventEnvelope>(), new List<EventEnvelope>());
        foreach (var e in events)
        {
            var r = random.Next(4);
            if (r is 0 or 2) a.Add(e);
            if (r is 1 or 2) b.Add(e);
            if (r == 3) (random.Next(2) == 0 ? a : b).Add(e);
        }
        return (a, b);
    }

    /// <summary>Stitches <paramref name="events"/> in batches of 1 to 14 (sizes seeded by the count).</summary>
    public static async Task ProcessAsync(StitchingService stitcher, List<EventEnvelope> events)
    {
        var random = new Random(events.Count);
        for (var i = 0; i < events.Count;)
        {
            var size = random.Next(1, 15);
            await stitcher.HandleAsync(events.Skip(i).Take(size).ToList(), CancellationToken.None);
            i += size;
        }
    }
}
