using Azure.Data.Tables;
using InsightsFunctions.Datasets;
using InsightsFunctions.Stitching;

namespace InsightsFunctions.Storage;

/// <summary>
/// Dataset rows as Table entities, column by column as their <see cref="DatasetDefinition"/> lists them: timestamps as
/// native UTC DateTime, durations as doubles, flags as "Yes"/"No", unknown values absent.
/// </summary>
public static class DatasetEntities
{
    public static TableEntity ToEntity(Conversation c, string partition, DateTimeOffset updatedAt) =>
        ToEntity(ConversationsDataset.Definition, c, partition, TableKeys.ConversationRowKey(c.AccountSid, c.ConversationId), updatedAt);

    public static TableEntity ToEntity(Segment s, string partition, DateTimeOffset updatedAt) =>
        ToEntity(SegmentsDataset.Definition, s, partition, TableKeys.SegmentRowKey(s.AccountSid, s.ConversationId, s.SegmentId), updatedAt);

    /// <summary>The record's row under the given keys; a null value is no property.</summary>
    public static TableEntity ToEntity<TRecord>(DatasetDefinition<TRecord> dataset, TRecord record, string partition, string rowKey, DateTimeOffset updatedAt)
    {
        var e = new TableEntity(partition, rowKey);
        foreach (var (name, value) in dataset.ValuesOf(record, updatedAt))
        {
            if (value is not null)
            {
                e[name] = value;
            }
        }
        return e;
    }

    /// <summary>The entity's properties (without the Table system ones) as the record.</summary>
    public static TRecord FromEntity<TRecord>(DatasetDefinition<TRecord> dataset, TableEntity entity) => dataset.Read(TableLoadSource.Row(entity));

    /// <summary>Sets a property of a row that has no definition (the real-time state tables); a null value is no property.</summary>
    internal static void Put(TableEntity e, string name, string? value)
    {
        if (value is not null)
        {
            e[name] = value;
        }
    }

    internal static void Put(TableEntity e, string name, double? value)
    {
        if (value is not null)
        {
            e[name] = value.Value;
        }
    }

    internal static void Put(TableEntity e, string name, DateTimeOffset? value)
    {
        if (value is not null)
        {
            e[name] = value.Value.ToUniversalTime();
        }
    }
}
