using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.Datasets;
using InsightsFunctions.EventBus;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Integration;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 5 through the real local host on Azurite: two accounts' queues, agents (with names from the Agents
/// dataset) and history (QueueIntervals rows) are stored side by side, and a third account's wallboard key is an
/// unresolved Key Vault reference. A's wallboard key never returns anything of B's, nor B's of A's; the admin key reads
/// either account and all of them; the unusable key opens nothing; missing or wrong keys get 403 without detail.
/// The accounts, queues and workers are new per run, so other tests' rows in the shared Azurite do not count.
/// </summary>
[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class RealtimeAccountScopeTests(RealtimeAccountScopeTests.TwoAccounts data) : IClassFixture<RealtimeAccountScopeTests.TwoAccounts>
{
    public const string KeyA = "wallboard-key-of-account-a-0123456789abcdef";
    public const string KeyB = "wallboard-key-of-account-b-0123456789abcdef";
    public const string Admin = "realtime-admin-key-0123456789abcdef012345";

    private static string Hex() => Guid.NewGuid().ToString("N");

    /// <summary>One account's data: its queue (tasks received and waiting), its agent and its history.</summary>
    public sealed record Account(string Sid, string Token, string Key, string Queue, string Worker, string AgentName, int Received, int Offered);

    public sealed class TwoAccounts : IAsyncLifetime
    {
        public Account A { get; } = new("AC" + Hex(), Hex(), KeyA, "WQ" + Hex(), "WK" + Hex(), "Alice of account A", Received: 2, Offered: 7);
        public Account B { get; } = new("AC" + Hex(), Hex(), KeyB, "WQ" + Hex(), "WK" + Hex(), "Bob of account B", Received: 3, Offered: 11);
        public string C { get; } = "AC" + Hex();
        public string LiteralC => $"@Microsoft.KeyVault(VaultName=kv-insights-prod;SecretName=wallboard-key-{C})";
        public LocalTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Azurite.EnsureRunning();
            var settings = new Dictionary<string, string?>
            {
                ["Insights:Storage:ConnectionString"] = Azurite.ConnectionString,
                ["Insights:Loads:Enabled"] = "false",
                ["Insights:Realtime:AdminKey"] = Admin,
                [$"Insights:Accounts:{C}:AuthToken"] = Hex(),
                [$"Insights:Accounts:{C}:WallboardKey"] = LiteralC,
            };
            foreach (var account in new[] { A, B })
            {
                settings[$"Insights:Accounts:{account.Sid}:AuthToken"] = account.Token;
                settings[$"Insights:Accounts:{account.Sid}:Hipaa"] = "false";
                settings[$"Insights:Accounts:{account.Sid}:WallboardKey"] = account.Key;
            }
            Host = await LocalTestHost.StartAsync(settings: settings);

            var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
            foreach (var account in new[] { A, B })
            {
                // One task handled by the account's agent (whose name comes with the reservation), the others waiting.
                var reservation = "WR" + Hex();
                var calls = new List<CallbackBuilder>
                {
                    new CallbackBuilder("WT" + Hex(), t0, account.Sid).Queue(account.Queue, $"Queue of {account.AgentName}").Task("task.created", 0).Task("task-queue.entered", 0)
                        .Reservation("reservation.created", 10, reservation, account.Worker, account.AgentName, new JsonObject { ["full_name"] = account.AgentName })
                        .Reservation("reservation.accepted", 20, reservation, account.Worker, account.AgentName, new JsonObject { ["full_name"] = account.AgentName }),
                };
                for (var i = 1; i < account.Received; i++)
                {
                    calls.Add(new CallbackBuilder("WT" + Hex(), t0, account.Sid).Queue(account.Queue, $"Queue of {account.AgentName}").Task("task.created", 30).Task("task-queue.entered", 30));
                }
                foreach (var form in calls.SelectMany(c => c.Events))
                {
                    Assert.Equal(HttpStatusCode.NoContent, (await Host.Client.SendAsync(SignedPost.Create(form, account.Token))).StatusCode);
                }
            }
            await Host.Services.GetRequiredService<LocalEventBus>().WaitForIdleAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token); // Azurite is shared: generous
            await Host.Services.GetRequiredService<QueueStatusService>().RefreshAsync(DateTimeOffset.UtcNow, CancellationToken.None);

            // Today's history: one loaded QueueIntervals row per account (as the 15-minute load writes them).
            var now = DateTimeOffset.UtcNow;
            var date = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var start = new DateTimeOffset(now.Date, TimeSpan.Zero);
            foreach (var account in new[] { A, B })
            {
                var row = QueueIntervalsDataset.Definition.ToRow(new QueueInterval
                {
                    AccountSid = account.Sid, Interval = new ReportingInterval(start, start, date), QueueSid = account.Queue, QueueName = $"Queue of {account.AgentName}",
                    SlaThresholdSeconds = 60, Offered = account.Offered, Handled = account.Offered - 1, Abandoned = 1,
                });
                await Host.Services.GetRequiredService<IIntervalStore>().SaveAsync(QueueIntervalsDataset.ExportName, date, [row], [], CancellationToken.None);
            }
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string? key, bool header = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, key is not null && !header ? $"{path}&code={Uri.EscapeDataString(key)}" : path);
        if (key is not null && header)
        {
            request.Headers.Add("x-functions-key", key);
        }
        var response = await data.Host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonNode> JsonAsync(string path, string key, bool header = true)
    {
        var (status, body) = await GetAsync(path, key, header);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return JsonNode.Parse(body)!;
    }

    private static readonly string[] Views = ["queues", "summary", "agents", "history?range=today", "history?range=week", "history?range=hour&hour=0"];

    [Fact]
    public async Task EachAccountsKey_SeesItsOwnQueuesAgentsNamesAndHistory_AndNothingOfTheOther()
    {
        foreach (var (own, other) in new[] { (data.A, data.B), (data.B, data.A) })
        {
            foreach (var header in new[] { true, false })
            {
                var queues = (await JsonAsync($"/api/realtime/queues?account={own.Sid}", own.Key, header))["queues"]!.AsArray();
                Assert.All(queues, q => Assert.Equal(own.Sid, (string)q!["account_sid"]!));
                var queue = Assert.Single(queues, q => (string)q!["queue_sid"]! == own.Queue)!;
                Assert.Equal((own.Received, own.Received - 1), ((int)queue["received"]!, (int)queue["waiting"]!));

                var summary = await JsonAsync($"/api/realtime/summary?account={own.Sid}", own.Key, header);
                Assert.Equal([own.Queue], summary["queue_sids"]!.AsArray().Select(q => (string)q!));
                Assert.Equal(own.Received, (int)summary["totals"]!["received"]!);
                Assert.Equal(1, (int)summary["agents"]!["total"]!);

                var agents = (await JsonAsync($"/api/realtime/agents?account={own.Sid}", own.Key, header))["agents"]!.AsArray();
                var agent = Assert.Single(agents)!;
                Assert.Equal((own.Worker, own.AgentName), ((string)agent["agent_sid"]!, (string)agent["agent_name"]!));

                var history = await JsonAsync($"/api/realtime/history?account={own.Sid}&range=today", own.Key, header);
                Assert.Equal(own.Offered, history["buckets"]!.AsArray().Sum(b => (int)b!["offered"]!));
            }
            foreach (var view in Views)
            {
                var path = $"/api/realtime/{view}{(view.Contains('?') ? '&' : '?')}account={own.Sid}";
                var body = (await JsonAsync(path, own.Key)).ToJsonString();
                foreach (var foreign in new[] { other.Sid, other.Queue, other.Worker, other.AgentName })
                {
                    Assert.DoesNotContain(foreign, body, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task AnAccountsKey_NeverOpensAnotherAccountOrAllOfThem_AndAWrongOrMissingKeyGets403WithoutDetail()
    {
        foreach (var view in Views)
        {
            var sep = view.Contains('?') ? '&' : '?';
            foreach (var (path, key) in new[]
            {
                ($"/api/realtime/{view}{sep}account={data.B.Sid}", KeyA),
                ($"/api/realtime/{view}{sep}account={data.A.Sid}", KeyB),
                ($"/api/realtime/{view}{sep}account=all", KeyA),
                ($"/api/realtime/{view}{sep}account={data.A.Sid}", null),
                ($"/api/realtime/{view}{sep}account={data.A.Sid}", KeyA[..^1]),
                ($"/api/realtime/{view}{sep}account={data.C}", data.LiteralC), // the unresolved reference: C's reads are off
            })
            {
                var (status, body) = await GetAsync(path, key);
                Assert.True(status == HttpStatusCode.Forbidden, $"{path}: {(int)status}");
                Assert.Equal("""{"error":"Request not authorised."}""", body);
            }
        }
        // Several accounts are configured: a read must say which one.
        var (missing, error) = await GetAsync("/api/realtime/queues", KeyA);
        Assert.Equal((HttpStatusCode.BadRequest, "account"), (missing, (string?)JsonNode.Parse(error)!["field"]));
    }

    [Fact]
    public async Task TheAdminKey_ReadsEachAccount_AndAllOfThem()
    {
        var all = (await JsonAsync("/api/realtime/queues?account=all", Admin))["queues"]!.AsArray().Select(q => (string)q!["queue_sid"]!).ToList();
        Assert.Contains(data.A.Queue, all);
        Assert.Contains(data.B.Queue, all);
        var agents = (await JsonAsync("/api/realtime/agents?account=all", Admin))["agents"]!.AsArray().Select(a => (string?)a!["agent_name"]).ToList();
        Assert.Contains(data.A.AgentName, agents);
        Assert.Contains(data.B.AgentName, agents);
        var history = await JsonAsync("/api/realtime/history?account=all&range=today", Admin);
        Assert.True(history["buckets"]!.AsArray().Sum(b => (int)b!["offered"]!) >= data.A.Offered + data.B.Offered);

        Assert.Equal([data.B.Queue], (await JsonAsync($"/api/realtime/summary?account={data.B.Sid}", Admin))["queue_sids"]!.AsArray().Select(q => (string)q!));
        Assert.Empty((await JsonAsync($"/api/realtime/queues?account={data.C}", Admin))["queues"]!.AsArray()); // C's reads: the admin's only
    }

    [Fact]
    public async Task TheWallboardPage_IsAdmittedLikeItsJson_AndSendsNoReferrer()
    {
        var byCode = await data.Host.Client.GetAsync($"/api/wallboard?account={data.A.Sid}&code={KeyA}");
        Assert.Equal(HttpStatusCode.OK, byCode.StatusCode);
        Assert.Equal("no-referrer", byCode.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/api/wallboard?account={data.A.Sid}", KeyA)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/wallboard?account=all", Admin)).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync($"/api/wallboard?account={data.A.Sid}", null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync($"/api/wallboard?account={data.A.Sid}", KeyB)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync($"/api/wallboard?account={data.C}", data.LiteralC, header: false)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/api/wallboard", KeyA)).Status);
        // Its script and style hold no data.
        Assert.Equal(HttpStatusCode.OK, (await data.Host.Client.GetAsync("/api/wallboard/wallboard.js")).StatusCode);
    }
}
