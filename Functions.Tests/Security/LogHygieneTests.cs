using System.Net;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace InsightsFunctions.Tests.Security;

/// <summary>
/// Logs carry only validated sids (issue 19 item 6): any other request value reaches a log line only as its length and a
/// short hash. Driven through the local host's real gate and ingest, with the bus refusing so that the failure paths
/// (which name the event) run too.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LogHygieneTests : IAsyncLifetime
{
    private const string Canary = "CANARY-Jane-Roe-555-0199";
    private readonly Mock<IEventPublisher> _publisher = new();
    private readonly Mock<IEventSpool> _spool = new();
    private LocalTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("bus down"));
        _spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _host = await LocalTestHost.StartAsync(services =>
        {
            services.Replace(ServiceDescriptor.Singleton(_publisher.Object));
            services.Replace(ServiceDescriptor.Singleton(_spool.Object));
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void AValueThatIsNotASid_IsLoggedAsItsLengthAndHash()
    {
        Assert.Equal("EV" + new string('a', 32), Logged.Sid("EV" + new string('a', 32), "EV"));
        var opaque = Logged.Sid(Canary + "\nError forged", "EV");
        Assert.Matches(@"^\(37 chars #[0-9a-f]{8}\)$", opaque);
        Assert.Equal(opaque, Logged.Sid(Canary + "\nError forged", "EV")); // the same value, the same mark
        Assert.NotEqual(opaque, Logged.Sid(Canary + "\nError forgee", "EV"));
        Assert.Equal(Logged.Opaque("WT1"), Logged.Sid("WT1", "WT"));
    }

    [Fact]
    public async Task WhenTheBusRefuses_TheLogNamesTheEventSid_AndNoOtherValueOfTheCallback()
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-12-07T10:00:00Z"))
        {
            Attributes = System.Text.Json.Nodes.JsonNode.Parse($$$"""{"direction":"inbound","from":"{{{Canary}}}","conversations":{"case":"{{{Canary}}}"}}""")!.AsObject(),
        };
        builder.Reservation("reservation.created", 0, TestSids.New("WR"), TestSids.New("WK"), workerName: Canary);
        var form = builder.Events[0];
        form["TaskCompletedReason"] = Canary;
        form["EventDescription"] = Canary;

        var response = await _host.Client.SendAsync(SignedPost.Create(form));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode); // spooled, after the publish failure was logged
        Assert.Contains(_host.Logs.Lines, l => l.Contains(form["Sid"], StringComparison.Ordinal) && l.Contains("spooling", StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASidIsLoggedAsItself()
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-12-07T10:00:00Z"));
        builder.Task("task.created", 0);
        var form = builder.Events[0];

        await _host.Client.SendAsync(SignedPost.Create(form));

        Assert.Contains(_host.Logs.Lines, l => l.Contains(form["Sid"], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AC00000000000000000000000000000c33\nError forged line " + Canary)]
    [InlineData("AC" + Canary)]
    [InlineData(Canary)]
    public async Task AForgedAccountSid_IsNeverLogged(string accountSid)
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-12-07T10:00:00Z"));
        builder.Task("task.created", 0);
        var form = builder.Events[0];
        form["AccountSid"] = accountSid;

        var response = await _host.Client.SendAsync(SignedPost.Create(form));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(Canary, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("forged line", _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnconfiguredButWellFormedAccountSid_IsLoggedAsTheSidItIs()
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-12-07T10:00:00Z"), TestSids.UnknownAccount);
        builder.Task("task.created", 0);

        var response = await _host.Client.SendAsync(SignedPost.Create(builder.Events[0]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(_host.Logs.Lines, l => l.Contains(TestSids.UnknownAccount, StringComparison.Ordinal));
    }
}
