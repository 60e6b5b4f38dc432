using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using FASTER.core;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;

namespace InsightsFunctions.Benchmarks;

/// <summary>
/// <c>Benchmarks bus [events] [producers]</c>: the candidates for the local bus's durable log, in one run, on the same
/// envelopes: each producer appends one event at a time and waits until it is durable (as an HTTP callback waits for its
/// 204). Per candidate: throughput, append latency (p50, p99, max), CPU per event, and what a reopened log gives back.
/// The in-memory row is the guarantee of the bus before issue 18 (nothing survives a restart).
/// </summary>
public static class BusCandidates
{
    private abstract class Candidate(string name)
    {
        public string Name { get; } = name;
        public abstract Task OpenAsync(string folder);
        public abstract Task AppendAsync(byte[] body);
        public abstract Task CloseAsync();
        /// <summary>Reopens (as after a restart) and counts what the log gives back.</summary>
        public abstract Task<long> RecoverAsync(string folder);
    }

    public static async Task RunAsync(int events, int producers)
    {
        var (_, envelopes) = SimulatedEnvelopes.Generate(agents: 200, queues: 4, hours: 2, seed: 7);
        var bodies = Enumerable.Range(0, events).Select(i => EnvelopeJson.Serialize(envelopes[i % envelopes.Count])).ToArray();
        Console.WriteLine($"{events} envelopes ({bodies.Average(b => b.Length):0} bytes on average), {producers} producers each waiting for durability; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| log | events/s | p50 ms | p99 ms | max ms | CPU µs/event | after reopen |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var candidate in new Candidate[] { new Memory(), new Sqlite(), new Faster(), new StorageQueue() })
        {
            var folder = Path.Combine(Path.GetTempPath(), $"insights-bus-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            try
            {
                await RunOneAsync(candidate, folder, bodies, producers);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
            {
                Console.WriteLine($"| {candidate.Name} | not measured: {ex.GetType().Name} (is Azurite running?) | | | | | |");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task RunOneAsync(Candidate candidate, string folder, byte[][] bodies, int producers)
    {
        await candidate.OpenAsync(folder);
        await candidate.AppendAsync(bodies[0]); // warm-up (connections, files)
        var latencies = new double[bodies.Length - 1];
        var next = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= bodies.Length)
                {
                    return;
                }
                var started = Stopwatch.GetTimestamp();
                await candidate.AppendAsync(bodies[i]);
                latencies[i - 1] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        wall.Stop();
        var cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / latencies.Length;
        await candidate.CloseAsync();
        var recovered = await candidate.RecoverAsync(folder);
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {candidate.Name} | {latencies.Length / wall.Elapsed.TotalSeconds:0} | {Percentile(latencies, 0.50):0.00} | {Percentile(latencies, 0.99):0.00} | {latencies[^1]:0.0} | {cpuPerEvent:0} | {recovered} of {bodies.Length} |"));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>The bus before issue 18: accepted events in memory only.</summary>
    private sealed class Memory() : Candidate("in memory (before: not durable)")
    {
        private readonly ConcurrentQueue<byte[]> _queue = new();

        public override Task OpenAsync(string folder) => Task.CompletedTask;
        public override Task AppendAsync(byte[] body)
        {
            _queue.Enqueue(body);
            return Task.CompletedTask;
        }
        public override Task CloseAsync() => Task.CompletedTask;
        public override Task<long> RecoverAsync(string folder) => Task.FromResult(0L); // a new process starts empty
    }

    /// <summary>The chosen log (<see cref="SqliteEventLog"/>): SQLite WAL, synchronous=FULL, group commit.</summary>
    private sealed class Sqlite() : Candidate("SQLite WAL, FULL, group commit (chosen)")
    {
        private SqliteEventLog? _log;

        public override async Task OpenAsync(string folder)
        {
            _log = new SqliteEventLog(folder, 4L * 1024 * 1024 * 1024);
            await _log.OpenAsync(1, CancellationToken.None);
        }
        public override Task AppendAsync(byte[] body) => _log!.AppendAsync([new LogAppend(0, body)], CancellationToken.None);
        public override async Task CloseAsync() => await _log!.DisposeAsync();
        public override async Task<long> RecoverAsync(string folder)
        {
            await using var log = new SqliteEventLog(folder, 4L * 1024 * 1024 * 1024);
            await log.OpenAsync(1, CancellationToken.None);
            return (await log.CountAsync(CancellationToken.None)).Values.Sum();
        }
    }

    /// <summary>FASTER's FasterLog: enqueue, then wait for a commit; one loop commits whatever is enqueued (group commit).</summary>
    private sealed class Faster() : Candidate("FasterLog, commit loop")
    {
        private IDevice? _device;
        private FasterLog? _log;
        private CancellationTokenSource? _stop;
        private Task? _committer;

        public override Task OpenAsync(string folder)
        {
            (_device, _log) = Open(folder);
            _stop = new CancellationTokenSource();
            var log = _log;
            var stop = _stop.Token;
            _committer = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var tail = log.TailAddress;
                    if (tail > log.CommittedUntilAddress)
                    {
                        await log.CommitAsync(token: stop);
                    }
                    else
                    {
                        await Task.Delay(1, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                }
            });
            return Task.CompletedTask;
        }
        public override async Task AppendAsync(byte[] body) => await _log!.EnqueueAndWaitForCommitAsync(body);
        public override async Task CloseAsync()
        {
            await _stop!.CancelAsync();
            await _committer!.ContinueWith(_ => { }, TaskScheduler.Default);
            _log!.Dispose();
            _device!.Dispose();
        }
        public override Task<long> RecoverAsync(string folder)
        {
            var (device, log) = Open(folder);
            long count = 0;
            using (var iterator = log.Scan(log.BeginAddress, log.TailAddress))
            {
                while (iterator.GetNext(out byte[] _, out _, out _))
                {
                    count++;
                }
            }
            log.Dispose();
            device.Dispose();
            return Task.FromResult(count);
        }

        private static (IDevice, FasterLog) Open(string folder)
        {
            var device = Devices.CreateLogDevice(Path.Combine(folder, "hlog.log"));
            return (device, new FasterLog(new FasterLogSettings { LogDevice = device, LogCommitDir = folder }));
        }
    }

    /// <summary>Azure Storage Queues on Azurite: one message per event (Azurite in memory, so reopen counts what the service holds).</summary>
    private sealed class StorageQueue() : Candidate("Storage Queues (Azurite), a message per event")
    {
        private QueueClient? _queue;

        public override async Task OpenAsync(string folder)
        {
            _queue = new QueueClient("UseDevelopmentStorage=true", $"bus-bench-{Guid.NewGuid():N}");
            await _queue.CreateAsync();
        }
        public override async Task AppendAsync(byte[] body) => await _queue!.SendMessageAsync(BinaryData.FromBytes(body));
        public override Task CloseAsync() => Task.CompletedTask;
        public override async Task<long> RecoverAsync(string folder)
        {
            var count = (await _queue!.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            await _queue.DeleteAsync();
            return count;
        }
    }
}
