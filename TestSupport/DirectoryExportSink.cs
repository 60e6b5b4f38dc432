using InsightsFunctions.Exports;

namespace InsightsFunctions.TestSupport;

/// <summary>Export files in a local folder (the load benchmark, which measures the load job rather than Blob Storage); committed by rename.</summary>
public sealed class DirectoryExportSink(string root) : IExportSink
{
    public Task<IExportFile> CreateAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return Task.FromResult<IExportFile>(new DirectoryExportFile(target));
    }

    private sealed class DirectoryExportFile(string target) : IExportFile
    {
        private readonly string _temporary = target + ".tmp";
        private bool _committed;

        public Stream Content { get; } = new FileStream(target + ".tmp", FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);

        public async Task<long> CommitAsync(CancellationToken cancellationToken)
        {
            await Content.FlushAsync(cancellationToken);
            var length = Content.Length;
            await Content.DisposeAsync();
            File.Move(_temporary, target, overwrite: true);
            _committed = true;
            return length;
        }

        public async ValueTask DisposeAsync()
        {
            await Content.DisposeAsync();
            if (!_committed)
            {
                File.Delete(_temporary);
            }
        }
    }
}
