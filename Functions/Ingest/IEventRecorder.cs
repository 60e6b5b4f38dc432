using InsightsFunctions.Events;

namespace InsightsFunctions.Ingest;

/// <summary>Where the ingest writes each envelope it accepted (already HIPAA-filtered), when recording is on.</summary>
public interface IEventRecorder
{
    Task RecordAsync(EventEnvelope envelope, CancellationToken cancellationToken);
}
