using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hosting;
using InsightsFunctions.Realtime;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Issue 19 item 4, POST /api/rta/events over the local host's HTTP pipeline (the bus replaced by a recorder). Each
/// account's RTA secret opens that account's records only: A's secret cannot post B's records (403, nothing accepted,
/// even mixed with A's); the retired shared secret opens nothing and is reported at start; an unusable secret (the
/// literal Key Vault reference) opens nothing. Every instant is a strict ISO 8601 one, none beyond the allowed skew
/// into the future (400 naming its JSON path), and every string is cut to 255 characters.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RtaFeedSecurityTests : IAsyncLifetime
{
    private const string A = TestSids.Account;
    private const string B = TestSids.NonHipaaAccount;
    private const string D = "AC00000000000000000000000000000d44";
    private const string SecretA = "rta-secret-of-account-a-0123456789abcdef";
    private const string SecretB = "rta-secret-of-account-b-0123456789abcdef";
    private const string Retired = "the-old-shared-secret-0123456789abcdef";
    private const string LiteralD = "@Microsoft.KeyVault(VaultName=kv-insights-prod;SecretName=rta-secret-AC00000000000000000000000000000d44)";
    private const string X = "0123456789abcdef0123456789abcdef";
    private readonly CapturingPublisher _bus = new();
    private LocalTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await LocalTestHost.StartAsync(s => s.Replace(ServiceDescriptor.Singleton<IEventPublisher>(_bus)), new Dictionary<string, string?>
        {
            [$"Insights:Accounts:{A}:RtaSecret"] = SecretA,
            [$"Insights:Accounts:{B}:RtaSecret"] = SecretB,
            [$"Insights:Accounts:{D}:AuthToken"] = TestSids.FakeTokenPrefix + "0018",
            [$"Insights:Accounts:{D}:RtaSecret"] = LiteralD,
            [RtaOptions.RetiredSharedSecretSetting] = Retired,
            ["Insights:Loads:Enabled"] = "false",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Record(string account, string processed = "", string activityUpdated = "", string activityName = "Available", string channelName = "voice") => $$"""
        {"worker": {"sid": "{{TestSids.New("WK")}}", "activity_sid": "WA{{X}}", "activity_name": "{{activityName}}",
                    "date_activity_updated": "{{(activityUpdated == "" ? Iso(DateTimeOffset.UtcNow.AddMinutes(-10)) : activityUpdated)}}"},
         "channels": [{"reservations": null, "worker_channel_sid": null, "task_channel_sid": "TC{{X}}", "task_channel_name": "{{channelName}}",
                       "available": 1, "available_capacity": 100, "capacity": 1, "date_capacity_updated": null}],
         "account_sid": "{{account}}", "workspace_sid": "WS{{X}}", "last_processed_event_sid": "{{TestSids.New("EV")}}",
         "date_last_processed_event": "{{(processed == "" ? Iso(DateTimeOffset.UtcNow.AddMinutes(-1)) : processed)}}"}
        """;

    private static string Message(params string[] records) => $$"""{"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [{{string.Join(",", records)}}]}""";

    private async Task<(HttpStatusCode Status, string? Field)> PostAsync(string body, string? key, bool header = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, HttpRoutes.RtaEvents + (key is not null && !header ? $"?code={Uri.EscapeDataString(key)}" : ""))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null && header)
        {
            request.Headers.Add("x-functions-key", key);
        }
        var response = await _host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? (string?)JsonNode.Parse(text)?["field"] : null);
    }

    [Fact]
    public async Task EachSecret_PostsItsOwnAccountsRecords()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(Record(A), Record(A)), SecretA)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(Record(B)), SecretB, header: false)).Status);

        Assert.Equal([A, A, B], _bus.Published.Select(e => e.AccountSid));
    }

    [Fact]
    public async Task AccountAsSecret_CannotPostAccountBsRecords_NotEvenAmongItsOwn()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(B)), SecretA)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(A), Record(B), Record(A)), SecretA)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(A)), SecretB, header: false)).Status);
        Assert.Empty(_bus.Published);

        // ... while the same secret does post its own account's records.
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(Record(A)), SecretA)).Status);
        Assert.Equal([A], _bus.Published.Select(e => e.AccountSid));
    }

    [Fact]
    public async Task TheRetiredSharedSecret_OpensNothing_AndTheStartUpLogSaysItIsIgnored()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(A)), Retired)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(B)), Retired, header: false)).Status);
        Assert.Empty(_bus.Published);

        Assert.Contains(_host.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Insights:Rta:SharedSecret is set but ignored", StringComparison.Ordinal));
        Assert.DoesNotContain(Retired, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnusableSecret_TheLiteralKeyVaultReference_OpensNothing()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(D)), LiteralD, header: false)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Message(Record(D)), SecretA)).Status);
        Assert.Empty(_bus.Published);

        // ... while a usable secret opens its account as usual.
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(Record(A)), SecretA)).Status);
    }

    [Fact]
    public async Task AFutureDatedRecord_400NamingItsPath_NothingAccepted()
    {
        var soon = Record(A, processed: Iso(DateTimeOffset.UtcNow.AddMinutes(2))); // within the 5-minute skew: fine

        var frozen = await PostAsync(Message(Record(A), soon, Record(A, processed: "9999-12-31T00:00:00Z")), SecretA);
        var ahead = await PostAsync(Message(Record(A, processed: Iso(DateTimeOffset.UtcNow.AddMinutes(10)))), SecretA);
        var since = await PostAsync(Message(Record(A), Record(A, activityUpdated: Iso(DateTimeOffset.UtcNow.AddDays(1)))), SecretA);

        Assert.Equal((HttpStatusCode.BadRequest, "records[2].date_last_processed_event"), frozen);
        Assert.Equal((HttpStatusCode.BadRequest, "records[0].date_last_processed_event"), ahead);
        Assert.Equal((HttpStatusCode.BadRequest, "records[1].worker.date_activity_updated"), since);
        Assert.Empty(_bus.Published);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(soon), SecretA)).Status);
    }

    [Theory]
    [InlineData("12/31/2025 5:00 PM")]
    [InlineData("2025-12-31 17:00:00Z")]
    [InlineData("2025-12-31T17:00:00")] // no offset: which zone?
    [InlineData("2025-12-31T17:00:00.000z")]
    [InlineData("20251231T170000Z")]
    [InlineData("2025-12-31T17:00:00.12345678Z")]
    [InlineData("2025-12-31T17:00:00Z\n")]
    [InlineData("2025-12-31T17:00:00+5:00")]
    [InlineData("Wed, 31 Dec 2025 17:00:00 GMT")]
    [InlineData("２０２５-12-31T17:00:00Z")]
    public async Task ANonIsoInstant_400NamingItsPath(string instant)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(instant)[1..^1];

        var processed = await PostAsync(Message(Record(A), Record(A, processed: json)), SecretA);
        var since = await PostAsync(Message(Record(A, activityUpdated: json)), SecretA);

        Assert.Equal((HttpStatusCode.BadRequest, "records[1].date_last_processed_event"), processed);
        Assert.Equal((HttpStatusCode.BadRequest, "records[0].worker.date_activity_updated"), since);
        Assert.Empty(_bus.Published);
    }

    [Theory]
    [InlineData("2025-12-31T17:00:00Z")]
    [InlineData("2025-12-31T17:00:00.1Z")]
    [InlineData("2025-12-31T17:00:00.1234567Z")]
    [InlineData("2025-12-31T12:00:00-05:00")]
    public async Task AnIsoInstant_IsAccepted_AsUtc(string instant)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(Message(Record(A, processed: instant)), SecretA)).Status);

        var at = Assert.Single(_bus.Published).Rta!.GeneratedAt;
        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.Equal(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), at);
    }

    [Fact]
    public async Task EveryString_IsCutTo255()
    {
        var name = new string('n', 200_000);
        var channel = new string('c', 50_000); // both within the 256 KiB body limit

        var response = await PostAsync(Message(Record(A, activityName: name, channelName: channel)), SecretA);

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var record = Assert.Single(_bus.Published).Rta!;
        Assert.Equal(name[..255], record.ActivityName);
        Assert.Equal(channel[..255], Assert.Single(record.Channels).TaskChannelName);
        Assert.True(EnvelopeJson.Serialize(Assert.Single(_bus.Published)).Length < 4_000);
    }
}
