using InsightsFunctions.Realtime;

namespace InsightsFunctions.TestSupport;

/// <summary>
/// The QueueStatus tallies in memory (tests, benchmarks), kept as the table keeps them: each conversation's contribution,
/// and per date and account a running total from which a replaced contribution is taken away and the new one added.
/// </summary>
public sealed class InMemoryQueueTallies : IQueueTallyStore, IQueueAgentStore
{
    private readonly Dictionary<(string AccountSid, string Date, string ConversationId), string> _contributions = new();
    private readonly Dictionary<(string Date, string AccountSid), QueueTally> _totals = new();
    private readonly HashSet<QueueAgent> _served = [];

    /// <summary>How many conversations have a contribution stored.</summary>
    public int Contributions { get { lock (_contributions) { return _contributions.Count; } } }

    public Task ApplyAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken) => Write(changes, seedOnly: false);

    public Task SeedAsync(IReadOnlyList<QueueTallyChange> changes, CancellationToken cancellationToken) => Write(changes, seedOnly: true);

    private Task Write(IReadOnlyList<QueueTallyChange> changes, bool seedOnly)
    {
        lock (_contributions)
        {
            foreach (var change in changes)
            {
                var key = (change.AccountSid, change.Date, change.ConversationId);
                var old = _contributions.GetValueOrDefault(key);
                if (seedOnly && old is not null)
                {
                    continue;
                }
                if (!_totals.TryGetValue((change.Date, change.AccountSid), out var total))
                {
                    _totals[(change.Date, change.AccountSid)] = total = new QueueTally();
                }
                if (old is not null)
                {
                    total.Add(QueueTally.FromJson(old), -1);
                }
                if (change.Contribution is { } contribution)
                {
                    total.Add(contribution);
                    _contributions[key] = contribution.ToJson();
                }
                else
                {
                    _contributions.Remove(key);
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, QueueTally>> ReadTotalsAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            var byAccount = new Dictionary<string, QueueTally>(StringComparer.Ordinal);
            foreach (var ((date, account), total) in _totals.Where(t => dates.Contains(t.Key.Date)))
            {
                if (!byAccount.TryGetValue(account, out var sum))
                {
                    byAccount[account] = sum = new QueueTally();
                }
                sum.Add(total);
            }
            return Task.FromResult<IReadOnlyDictionary<string, QueueTally>>(byAccount);
        }
    }

    private readonly HashSet<string> _claimed = [];

    /// <summary>The once-only jobs claimed and not released.</summary>
    public IReadOnlyCollection<string> Claimed { get { lock (_contributions) { return [.. _claimed]; } } }

    public Task<bool> TryClaimCheckAsync(string job, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            return Task.FromResult(_claimed.Add(job));
        }
    }

    public Task ReleaseCheckAsync(string job, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            _claimed.Remove(job);
        }
        return Task.CompletedTask;
    }

    public Task PurgeBeforeAsync(string date, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            foreach (var key in _contributions.Keys.Where(k => string.CompareOrdinal(k.Date, date) < 0).ToList())
            {
                _contributions.Remove(key);
            }
            foreach (var key in _totals.Keys.Where(k => string.CompareOrdinal(k.Date, date) < 0).ToList())
            {
                _totals.Remove(key);
            }
            _served.RemoveWhere(s => string.CompareOrdinal(s.Date, date) < 0);
        }
        return Task.CompletedTask;
    }

    public Task AddAsync(IReadOnlyCollection<QueueAgent> served, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            _served.UnionWith(served);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueAgent>> ReadAsync(IReadOnlyCollection<string> dates, CancellationToken cancellationToken)
    {
        lock (_contributions)
        {
            return Task.FromResult<IReadOnlyList<QueueAgent>>([.. _served.Where(s => dates.Contains(s.Date))]);
        }
    }
}
