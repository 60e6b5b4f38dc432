namespace InsightsFunctions.Events;

/// <summary>
/// The instants an event may carry (rules.md; docs/validation.md): 2000-01-01 up to, not including, 2100-01-01 UTC. Outside
/// it a value is corrupt input, and the consumer's date maths (<c>DateTimeOffset.FromUnixTimeMilliseconds</c>, reporting
/// dates, interval starts) and Table Storage (no DateTime before 1601) would refuse it. Ingest refuses such a value with 400;
/// the consumer ignores one that an older version stored. The one place this range is written.
/// </summary>
public static class EventInstants
{
    public const long MinMs = 946_684_800_000;   // 2000-01-01T00:00:00Z
    public const long MaxMs = 4_102_444_800_000; // 2100-01-01T00:00:00Z, exclusive

    public static bool IsSane(long epochMs) => epochMs is >= MinMs and < MaxMs;

    public static bool IsSane(DateTimeOffset instant) => IsSane(instant.ToUnixTimeMilliseconds());

    /// <summary>Epoch seconds as milliseconds, when they are a sane instant (checked before multiplying, so no overflow wraps into range).</summary>
    public static bool TryFromSeconds(long epochSeconds, out long epochMs)
    {
        if (epochSeconds is >= MinMs / 1000 and < MaxMs / 1000)
        {
            epochMs = epochSeconds * 1000;
            return true;
        }
        epochMs = 0;
        return false;
    }

    /// <summary>
    /// A duration that ends at <paramref name="endMs"/> (how long an agent was in the activity it left): not negative, and
    /// starting no earlier than <see cref="MinMs"/>, so the interval's start is a sane instant too.
    /// </summary>
    public static bool IsSaneDurationBefore(long endMs, long durationMs) => durationMs >= 0 && durationMs <= endMs - MinMs;
}
