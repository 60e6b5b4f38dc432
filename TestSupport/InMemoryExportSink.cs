using InsightsFunctions.Exports;

namespace InsightsFunctions.TestSupport;

/// <summary>Export files in memory; optionally dies (like a killed instance) when asked to commit the n-th file.</summary>
public sealed class InMemoryExportSink : IExportSink
{
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Every commit, in order.</summary>
    public List<string> Commits { get; } = [];

    public int? FailAtCommit { get; set; }

    /// <summary>Dies when asked to commit a file at a path that matches (a blob write that fails).</summary>
    public Func<string, bool>? FailAtPath { get; set; }

    public Task<IExportFile> CreateAsync(string path, CancellationToken cancellationToken) => Task.FromResult<IExportFile>(new File(this, path));

    private sealed class File(InMemoryExportSink sink, string path) : IExportFile
    {
        public Stream Content { get; } = new MemoryStream();

        public Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            if ((sink.FailAtCommit is { } n && sink.Commits.Count + 1 >= n) || sink.FailAtPath?.Invoke(path) == true)
            {
                throw new IOException("The instance died while writing the exports.");
            }
            var bytes = ((MemoryStream)Content).ToArray();
            sink.Files[path] = bytes;
            sink.Commits.Add(path);
            return Task.FromResult((long)bytes.Length);
        }

        public ValueTask DisposeAsync() => Content.DisposeAsync();
    }
}
