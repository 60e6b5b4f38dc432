using InsightsFunctions.Configuration;
using InsightsFunctions.Datasets;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Tests.Realtime;

/// <summary>
/// The refresher's daily job (issue 20): claimed once per date across instances, and given back when its work fails, so
/// the next tick tries again instead of leaving the date unchecked and unpurged; the refreshes go on meanwhile.
/// </summary>
[Trait("Category", "Unit")]
public sealed class QueueStatusRefresherTests
{
    /// <summary>A source whose first reads fail (storage down while the check reads two days), then work.</summary>
    private sealed class FailingFirst(int failures) : ILoadSource
    {
        private int _failures = failures;

        public int Reads;

        public async IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadAsync(string dataset, string? date, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                throw new TimeoutException("storage down");
            }
            await Task.CompletedTask;
            yield break;
        }

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadHourAsync(string dataset, string date, int hour, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The real-time check reads whole dates.");

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadConversationSegmentsAsync(IReadOnlyList<ConversationPlace> places, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The real-time check reads whole dates.");

        public IAsyncEnumerable<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadActivitiesChangedAsync(string date, DateTimeOffset endedFrom, DateTimeOffset writtenFrom, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlySet<ActivityPlace>> StillOpenAsync(IReadOnlyCollection<ActivityPlace> open, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class CountingStatusStore : IQueueStatusStore
    {
        public int Replaced;

        public Task ReplaceAsync(IReadOnlyList<QueueStatus> rows, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Replaced);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<QueueStatus>> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<QueueStatus>>([]);
    }

    [Fact]
    public async Task AFailedDailyCheck_GivesItsClaimBack_AndTheNextTickDoesIt_WhileRefreshesGoOn()
    {
        var clock = new ReportingClock("UTC");
        var sla = new SlaPolicy(new SlaOptions());
        var source = new FailingFirst(failures: 1);
        var tallies = new InMemoryQueueTallies();
        var status = new CountingStatusStore();
        var service = new QueueStatusService(source, new InMemoryAgentStatusStore(), status, tallies, tallies, new QueueStatusCalculator(sla, clock), new AgentAvailability(["Available"]), clock);
        var options = Options.Create(new RealtimeOptions { RefreshInterval = TimeSpan.FromMilliseconds(50) });
        using var refresher = new QueueStatusRefresher(service, tallies, tallies, new RealtimeSignal(), options, clock, TimeProvider.System, NullLogger<QueueStatusRefresher>.Instance);
        var today = clock.DateOf(DateTimeOffset.UtcNow);

        await refresher.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(source.Reads >= 3 && tallies.Claimed.Contains(today)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await refresher.StopAsync(CancellationToken.None);

        // The first check failed on its first read; its claim (and the seeding's) went back, and a later tick checked
        // the date: two days read, claimed for good.
        Assert.True(source.Reads >= 3, $"{source.Reads} reads");
        Assert.Contains(today, tallies.Claimed);
        Assert.Contains(QueueStatusRefresher.SeedJob, tallies.Claimed);
        Assert.True(status.Replaced >= 1, "refreshes went on");
    }
}
