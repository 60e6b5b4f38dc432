using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Hosting;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Secrets fail closed (issue 19 item 3), on the local host with Azurite behind /api/health: an account whose auth token
/// is the literal <c>@Microsoft.KeyVault(...)</c> App Service passes when a reference does not resolve is unconfigured.
/// A callback signed with that literal (anyone can guess it: the vault is named after the app) gets 403 and publishes
/// nothing; an error names the setting, never the value; health says degraded with the account sid. The other accounts
/// go on as before.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretsFailClosedTests : IAsyncLifetime
{
    private const string Unresolved = "AC00000000000000000000000000000d44";
    private const string Literal = "@Microsoft.KeyVault(VaultName=kv-insights-prod;SecretName=twilio-auth-token-AC00000000000000000000000000000d44)";
    private const string RtaLiteral = "@Microsoft.KeyVault(VaultName=kv-insights-prod;SecretName=rta-secret)";
    private readonly Mock<IEventPublisher> _publisher = new();
    private readonly List<EventEnvelope> _published = [];
    private LocalTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Callback<IReadOnlyList<EventEnvelope>, CancellationToken>((e, _) => { lock (_published) { _published.AddRange(e); } })
            .Returns(Task.CompletedTask);
        _publisher.Setup(p => p.IsReachableAsync(It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _host = await LocalTestHost.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton(_publisher.Object)),
            new Dictionary<string, string?>
            {
                [$"Insights:Accounts:{Unresolved}:AuthToken"] = Literal,
                [$"Insights:Accounts:{TestSids.Account}:RtaSecret"] = RtaLiteral,
            });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Dictionary<string, string> Callback(string account)
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-12-07T10:00:00Z"), account);
        builder.Task("task.created", 0);
        return builder.Events[0];
    }

    [Fact]
    public async Task ACallbackSignedWithTheUnresolvedReference_Gets403_AndNothingIsPublished()
    {
        var response = await _host.Client.SendAsync(SignedPost.Create(Callback(Unresolved), authToken: Literal));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_published);
        // The other accounts are not affected.
        var ok = await _host.Client.SendAsync(SignedPost.Create(Callback(TestSids.Account)));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Single(_published);
    }

    [Fact]
    public void TheStartUpLog_NamesEachUnusableSetting_NeverItsValue()
    {
        var errors = _host.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();

        Assert.Contains(errors, l => l.Contains($"Insights:Accounts:{Unresolved}:AuthToken", StringComparison.Ordinal) && l.Contains("unresolved Key Vault reference", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Contains($"Insights:Accounts:{TestSids.Account}:RtaSecret", StringComparison.Ordinal));
        Assert.DoesNotContain("kv-insights-prod", _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSids.AuthToken, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_IsDegraded_NamingTheAccountAndSetting_AndStays200()
    {
        var response = await _host.Client.GetAsync(HttpRoutes.Health);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (string?)body["tables"]); // storage is fine: the degradation is the accounts'
        Assert.Equal("degraded", (string?)body["status"]);
        var accounts = body["accounts"]!.AsArray().Select(a => a!.AsObject()).ToList();
        var token = Assert.Single(accounts, a => (string?)a["account_sid"] == Unresolved);
        Assert.Equal($"Insights:Accounts:{Unresolved}:AuthToken", (string?)token["setting"]);
        Assert.True((bool)token["account_unconfigured"]!);
        var rta = Assert.Single(accounts, a => (string?)a["account_sid"] == TestSids.Account);
        Assert.False((bool)rta["account_unconfigured"]!);
        Assert.DoesNotContain("kv-insights-prod", body.ToJsonString(), StringComparison.Ordinal);
    }
}
