using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using InsightsFunctions.Metrics;

namespace InsightsFunctions.Storage;

/// <summary>
/// Counts Table Storage requests (each point read, query page, write or entity-group transaction is one
/// request, which is how the service counts transactions against its scale targets), in total and per
/// table, to report Table transactions per event. Added to the TableServiceClient pipeline in
/// <c>AddInsightsPipeline</c>.
/// </summary>
public sealed class TableRequestCounter(PipelineMetrics metrics) : HttpPipelineSynchronousPolicy
{
    private long _requests;
    private readonly ConcurrentDictionary<string, long> _byTable = new(StringComparer.Ordinal);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests per table (<c>$batch</c> for entity-group transactions, which name no table in their URL).</summary>
    public IReadOnlyDictionary<string, long> ByTable => _byTable;

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _requests);
        _byTable.AddOrUpdate(TableOf(message.Request.Uri.Path), 1, (_, n) => n + 1);
        metrics.TableRequests.Add(1);
    }

    /// <summary>The table a request path names: the last segment, without its key predicate.</summary>
    private static string TableOf(string path)
    {
        var last = path.TrimEnd('/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var paren = last.IndexOf('(');
        return Uri.UnescapeDataString(paren >= 0 ? last[..paren] : last);
    }
}
