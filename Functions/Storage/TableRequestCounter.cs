using Azure.Core;
using Azure.Core.Pipeline;

namespace InsightsFunctions.Storage;

/// <summary>
/// Counts Table Storage requests (each point read, query page, write or entity-group transaction is one
/// request, which is how the service counts transactions against its scale targets), to report Table
/// transactions per event. Added to the TableServiceClient pipeline in <c>AddInsightsPipeline</c>.
/// </summary>
public sealed class TableRequestCounter : HttpPipelineSynchronousPolicy
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _requests);
        EventBus.PipelineMetrics.TableRequests.Add(1);
    }
}
