using System.Diagnostics;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// The peak working set and managed heap of this process while a measured run goes on, sampled every 20 ms, above the
/// baseline taken right after a forced, compacting collection (the load benchmarks).
/// </summary>
public sealed class PeakMemory
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;

    private PeakMemory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        _process.Refresh();
        BaselineSet = PeakSet = _process.WorkingSet64;
        BaselineHeap = PeakHeap = GC.GetTotalMemory(forceFullCollection: false);
        _sampler = Task.Run(async () =>
        {
            while (!_sampling.IsCancellationRequested)
            {
                _process.Refresh();
                PeakSet = Math.Max(PeakSet, _process.WorkingSet64);
                PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
    }

    public long BaselineSet { get; }

    public long BaselineHeap { get; }

    public long PeakSet { get; private set; }

    public long PeakHeap { get; private set; }

    /// <summary>The process's own peak working set over its lifetime, as the OS counts it.</summary>
    public long LifetimePeakSet => _process.PeakWorkingSet64;

    public static PeakMemory Start() => new();

    public async Task StopAsync()
    {
        await _sampling.CancelAsync();
        await _sampler;
        _sampling.Dispose();
        _process.Refresh();
    }
}
