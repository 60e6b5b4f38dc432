using System.Diagnostics;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// The peak working set and managed heap of this process while a measured run goes on, sampled every 20 ms, above the
/// baseline taken right after a forced, compacting collection (the load benchmarks). The working set is read from
/// <c>/proc/self/statm</c> where there is one: <see cref="Process.Refresh"/> reads every thread's status as well and cost
/// about 7% of a load's measured CPU at this rate.
/// </summary>
public sealed class PeakMemory
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;

    private PeakMemory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        BaselineSet = PeakSet = WorkingSet();
        BaselineHeap = PeakHeap = GC.GetTotalMemory(forceFullCollection: false);
        _sampler = Task.Run(async () =>
        {
            while (!_sampling.IsCancellationRequested)
            {
                PeakSet = Math.Max(PeakSet, WorkingSet());
                PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
    }

    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Resident pages × page size (statm's second field), or the Process figure elsewhere.</summary>
    private long WorkingSet()
    {
        if (OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/statm").Split(' ') is [_, var resident, ..] && long.TryParse(resident, out var pages))
        {
            return pages * PageSize;
        }
        _process.Refresh();
        return _process.WorkingSet64;
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
