using InsightsFunctions.Events;
using InsightsFunctions.Metrics;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.EventBus;

/// <summary>
/// A partition's batch as a bus carries it (bytes, in order) back to envelopes, for the Event Hubs processor and the
/// local bus alike: an entry that is not an envelope is dead-lettered as it came, with its partition and position
/// (sequence number or log position), never stitched; the write is retried until done, since the dead letter is then
/// its only copy.
/// </summary>
public static partial class EnvelopeDecoder
{
    public static async Task<List<EventEnvelope>> DecodeAsync(
        string partitionId, IReadOnlyList<(long Position, BinaryData Body)> entries, PartitionBatchRunner runner, IDeadLetterSink deadLetters,
        PipelineMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        var envelopes = new List<EventEnvelope>(entries.Count);
        foreach (var (position, body) in entries)
        {
            try
            {
                envelopes.Add(EnvelopeJson.Deserialize(body.ToMemory().Span));
            }
            catch (System.Text.Json.JsonException ex)
            {
                LogUndecodable(logger, partitionId, position);
                metrics.DeadLettered.Add(1);
                var reason = "JsonException: " + ex.Message;
                await runner.UntilDoneAsync(partitionId, ct => deadLetters.DeadLetterUndecodableAsync(partitionId, position, body, reason, ct), cancellationToken);
            }
        }
        return envelopes;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Undecodable event on partition {Partition} at position {Position}: dead-lettered")]
    private static partial void LogUndecodable(ILogger logger, string partition, long position);
}
