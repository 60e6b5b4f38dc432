using InsightsFunctions.Configuration;

namespace InsightsFunctions.Stitching;

/// <summary>Service-level thresholds (rules.md §4): per queue by sid or name, else the default (60 s).</summary>
public sealed class SlaPolicy(SlaOptions options)
{
    public double ShortAbandonSeconds => options.ShortAbandonSeconds;

    public double ThresholdSeconds(string? queueSid, string? queueName)
    {
        if (queueSid is not null && options.Queues.TryGetValue(queueSid, out var bySid))
        {
            return bySid;
        }
        if (queueName is not null && options.Queues.TryGetValue(queueName, out var byName))
        {
            return byName;
        }
        return options.DefaultSeconds;
    }
}
