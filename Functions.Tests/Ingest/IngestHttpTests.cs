using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.EventBus;
using InsightsFunctions.Events;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>Every status code of http.md through the real HTTP pipeline of the local host.</summary>
[Trait("Category", "Unit")]
public sealed class IngestHttpTests : IAsyncLifetime
{
    private readonly List<byte[]> _published = [];
    private readonly List<byte[]> _spooled = [];
    private readonly Mock<IEventPublisher> _publisher = new();
    private readonly Mock<IEventSpool> _spool = new();
    private LocalTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .Callback<IReadOnlyList<EventEnvelope>, CancellationToken>((envelopes, _) => _published.AddRange(envelopes.Select(EnvelopeJson.Serialize)))
            .Returns(Task.CompletedTask);
        _spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>()))
            .Callback<EventEnvelope, CancellationToken>((e, _) => _spooled.Add(EnvelopeJson.Serialize(e)))
            .Returns(Task.CompletedTask);
        _host = await LocalTestHost.StartAsync(services =>
        {
            services.Replace(ServiceDescriptor.Singleton(_publisher.Object));
            services.Replace(ServiceDescriptor.Singleton(_spool.Object));
        }, new Dictionary<string, string?> { ["Insights:Ingest:MaxBodyBytes"] = "8192" });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Dictionary<string, string> ValidForm(string account = TestSids.Account)
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-11-24T10:00:00Z"), account);
        builder.Attributes = JsonNode.Parse($$"""
            {"call_sid":"CA000000000000000000000000feed000b","direction":"inbound","from":"{{PiiCanaries.Phone}}","name":"{{PiiCanaries.Name}}",
             "customers":{"name":"{{PiiCanaries.Name}}","email":"{{PiiCanaries.Email}}","phone":"{{PiiCanaries.Phone}}","category":"VIP"},
             "address":"{{PiiCanaries.Address}}","conversations":{"case":"C-1"} }
            """)!.AsObject();
        builder.Task("task.created", 0);
        var form = builder.Events[0];
        form["EventDescription"] = $"Task created for {PiiCanaries.Name}";
        return form;
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> Send(HttpRequestMessage request)
    {
        var response = await _host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), response);
    }

    [Fact]
    public async Task Post_ValidCallback_204WithJsonContentTypeAndPublished()
    {
        var (status, body, response) = await Send(SignedPost.Create(ValidForm()));

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Null(body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var envelope = EnvelopeJson.Deserialize(Assert.Single(_published));
        Assert.Equal(("task.created", "CA000000000000000000000000feed000b", true), (envelope.EventType, envelope.Links.CallSid, envelope.Hipaa));
    }

    [Fact]
    public async Task Post_PiiCanaries_AbsentFromPublishedBytesSpoolAndLogs()
    {
        // Published path.
        Assert.Equal(HttpStatusCode.NoContent, (await Send(SignedPost.Create(ValidForm()))).Status);
        // Spool path: the bus fails once, the spool takes the event.
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("bus down"));
        Assert.Equal(HttpStatusCode.NoContent, (await Send(SignedPost.Create(ValidForm()))).Status);
        // Rejected paths log too.
        await Send(SignedPost.Create(ValidForm(), authToken: "wrong"));

        var everything = Encoding.UTF8.GetString(_published.Concat(_spooled).SelectMany(b => b).ToArray()) + _host.Logs.All;
        Assert.Single(_published);
        Assert.Single(_spooled);
        foreach (var canary in PiiCanaries.All.Append("free text"))
        {
            Assert.DoesNotContain(canary, everything, StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(TestSids.AuthToken, _host.Logs.All, StringComparison.Ordinal);
        Assert.Contains("category", everything, StringComparison.Ordinal); // allow-listed data did arrive
    }

    [Fact]
    public async Task Get_405WithAllowHeader()
    {
        var (status, body, response) = await Send(new HttpRequestMessage(HttpMethod.Get, SignedPost.Path));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
        Assert.NotNull(body!["error"]);
    }

    [Fact]
    public async Task Post_JsonBody_415()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, SignedPost.Path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        var (status, body, _) = await Send(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Content-Type", (string?)body!["field"]);
    }

    [Fact]
    public async Task Post_BodyOverLimit_413()
    {
        var form = ValidForm();
        form["Padding"] = new string('x', 9000);
        var (status, body, _) = await Send(SignedPost.Create(form));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("8192", (string?)body!["error"]);
        Assert.Empty(_published);
    }

    [Fact]
    public async Task Post_MissingAccountSid_400NamesField()
    {
        var form = ValidForm();
        form.Remove("AccountSid");
        var (status, body, _) = await Send(SignedPost.Create(form));
        Assert.Equal((HttpStatusCode.BadRequest, "AccountSid"), (status, (string?)body!["field"]));
    }

    [Fact]
    public async Task Post_UnknownAccount_403()
    {
        var (status, _, _) = await Send(SignedPost.Create(ValidForm(TestSids.UnknownAccount)));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Empty(_published);
    }

    [Fact]
    public async Task Post_BadSignature_403()
    {
        var (status, body, _) = await Send(SignedPost.Create(ValidForm(), authToken: TestSids.FakeTokenPrefix + "0002"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Null(body!["field"]);
        Assert.Empty(_published);
    }

    [Theory]
    [InlineData("EventType", null, "EventType")]
    [InlineData("Sid", null, "Sid")]
    [InlineData("Sid", "XX00000000000000000000000000000001", "Sid")]
    [InlineData("WorkspaceSid", null, "WorkspaceSid")]
    [InlineData("TimestampMs", "yesterday", "TimestampMs")]
    [InlineData("TimestampMs", "2305845015194996887", "TimestampMs")]
    [InlineData("TimestampMs", "-5", "TimestampMs")]
    [InlineData("TaskAttributes", "[1,2]", "TaskAttributes")]
    [InlineData("TaskAttributes", "{not json", "TaskAttributes")]
    [InlineData("WorkerAttributes", "\"text\"", "WorkerAttributes")]
    public async Task Post_BadField_400NamesTheField(string field, string? value, string expectedField)
    {
        var form = ValidForm();
        if (value is null)
        {
            form.Remove(field);
        }
        else
        {
            form[field] = value;
        }
        var (status, body, _) = await Send(SignedPost.Create(form));
        Assert.Equal((HttpStatusCode.BadRequest, expectedField), (status, (string?)body!["field"]));
        Assert.Empty(_published);
    }

    [Fact]
    public async Task Post_NoTimestampAtAll_400NamesTimestampMs()
    {
        var form = ValidForm();
        form.Remove("TimestampMs");
        form.Remove("Timestamp");
        var (status, body, _) = await Send(SignedPost.Create(form));
        Assert.Equal((HttpStatusCode.BadRequest, "TimestampMs"), (status, (string?)body!["field"]));
    }

    [Fact]
    public async Task Post_OnlySecondsTimestamp_Accepted()
    {
        var form = ValidForm();
        form.Remove("TimestampMs");
        Assert.Equal(HttpStatusCode.NoContent, (await Send(SignedPost.Create(form))).Status);
        Assert.Equal(long.Parse(form["Timestamp"]) * 1000, EnvelopeJson.Deserialize(Assert.Single(_published)).TimestampMs);
    }

    [Fact]
    public async Task Post_BusAndSpoolBothFail_503WithRetryAfter()
    {
        _publisher.Setup(p => p.PublishAsync(It.IsAny<IReadOnlyList<EventEnvelope>>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        _spool.Setup(s => s.SpoolAsync(It.IsAny<EventEnvelope>(), It.IsAny<CancellationToken>())).ThrowsAsync(new IOException("storage down"));

        var (status, body, response) = await Send(SignedPost.Create(ValidForm()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.NotNull(body!["error"]);
    }

    [Fact]
    public async Task Post_CheckOrder_MethodBeforeContentTypeBeforeSize()
    {
        var big = new StringContent(new string('x', 10000), Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(new HttpRequestMessage(HttpMethod.Put, SignedPost.Path) { Content = big })).Status);
        big = new StringContent(new string('x', 10000), Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Send(new HttpRequestMessage(HttpMethod.Post, SignedPost.Path) { Content = big })).Status);
    }

    [Fact]
    public async Task Post_BadFieldWithBadSignature_403BeforeValidation()
    {
        var form = ValidForm();
        form.Remove("EventType");
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(SignedPost.Create(form, authToken: "wrong"))).Status);
    }

    [Fact]
    public void Envelope_RoundTripsThroughSourceGeneratedJson()
    {
        var envelope = new EventEnvelope
        {
            Kind = EnvelopeKinds.TaskRouter, EventSid = "EV1", AccountSid = "AC1", WorkspaceSid = "WS1", EventType = "task.created", TimestampMs = 5,
            Task = new TaskFields { Sid = "WT1", Version = 3 }, Links = new LinkingIds { CallSid = "CA000000000000000000000000feed000b" },
            TaskAttributes = new JsonObject { ["direction"] = "inbound" },
        };
        var back = EnvelopeJson.Deserialize(EnvelopeJson.Serialize(envelope));
        Assert.Equal((envelope.EventSid, 3L, "CA000000000000000000000000feed000b", "inbound", 1), (back.EventSid, back.Task!.Version!.Value, back.Links.CallSid, (string?)back.TaskAttributes!["direction"], back.Version));
    }
}
