namespace InsightsFunctions.Realtime;

/// <summary>The service-level percentage of rules.md §4, shared by QueueIntervals, the live QueueStatus and the RtaIntervals snapshots.</summary>
public static class ServiceLevel
{
    /// <summary>handled within threshold / (handled + abandoned − short abandons) × 100, to 3 decimals; null when the denominator is 0.</summary>
    public static double? Pct(int inServiceLevel, int handled, int abandoned, int shortAbandoned)
    {
        var denominator = handled + abandoned - shortAbandoned;
        return denominator <= 0 ? null : Math.Round(100.0 * inServiceLevel / denominator, 3);
    }
}
