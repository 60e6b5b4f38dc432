using InsightsFunctions.Events;

namespace InsightsFunctions.Ingest;

/// <summary>
/// Appends every accepted envelope as one JSON line to a file (<c>Insights:Ingest:RecordPath</c>, or
/// <c>insights serve --record FILE</c>): the replay format's envelope lines (docs/replay.md). Only the filtered
/// envelope is written, never the raw callback.
/// </summary>
public sealed class NdjsonEventRecorder : IEventRecorder, IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly FileStream _file;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public NdjsonEventRecorder(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public async Task RecordAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var line = EnvelopeJson.Serialize(envelope);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _file.WriteAsync(line, cancellationToken);
            await _file.WriteAsync(NewLine, cancellationToken);
            await _file.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _gate.Dispose();
    }
}
