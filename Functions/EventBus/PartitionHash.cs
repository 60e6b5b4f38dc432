namespace InsightsFunctions.EventBus;

/// <summary>A stable (process-independent) hash of a partition key: FNV-1a over UTF-16 code units.</summary>
public static class PartitionHash
{
    public static int PartitionFor(string key, int partitionCount)
    {
        uint hash = 2166136261;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619;
        }
        return (int)(hash % (uint)partitionCount);
    }
}
