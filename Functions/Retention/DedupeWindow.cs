using InsightsFunctions.Events;

namespace InsightsFunctions.Retention;

/// <summary>
/// How long the pipeline remembers events (<c>Insights:Consumer:DedupeWindow</c>, default 7 days): the stored
/// task events (the dedupe by EventSid and the input of every rebuild), link keys and components are purged
/// once they are older than the window, so an event older than the window can no longer be deduplicated or
/// stitched with its conversation and is dropped by the consumer (counted, never half-applied). The window
/// must exceed the longest conversation; it is at least one day.
/// </summary>
public sealed class DedupeWindow
{
    public static readonly TimeSpan Minimum = TimeSpan.FromDays(1);

    private readonly TimeProvider _clock;

    public DedupeWindow(TimeSpan length, TimeProvider clock)
    {
        if (length < Minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Insights:Consumer:DedupeWindow must be at least {Minimum} (it must exceed the longest conversation).");
        }
        Length = length;
        _clock = clock;
    }

    public TimeSpan Length { get; }

    /// <summary>State last written before this instant is purged; events before it are dropped.</summary>
    public DateTimeOffset Cutoff => _clock.GetUtcNow() - Length;

    /// <summary>The events still inside the window, and how many were dropped as too old.</summary>
    public (IReadOnlyList<EventEnvelope> Kept, int Expired) Filter(IReadOnlyList<EventEnvelope> batch)
    {
        var cutoffMs = Cutoff.ToUnixTimeMilliseconds();
        var kept = batch.Where(e => e.TimestampMs >= cutoffMs).ToList();
        return (kept.Count == batch.Count ? batch : kept, batch.Count - kept.Count);
    }
}
