using System.Text.Json.Nodes;
using Azure.Data.Tables;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Integration;

[Collection(nameof(AzuriteCollection))]
[Trait("Category", "Integration")]
public sealed class CustomersIntegrationTests
{
    private static (StitchingService Service, TableClient Customers) Arrange()
    {
        var (service, tables) = AzuriteStitcher.Create();
        return (service, tables.Service.GetTableClient(TableNames.Customers));
    }

    private static CallbackBuilder Call(string taskSid, DateTimeOffset at, string phone, string category, string account) =>
        new CallbackBuilder(taskSid, at, account)
        {
            Attributes = new JsonObject
            {
                ["direction"] = "inbound", ["from"] = phone, ["from_city"] = "SPRINGFIELD", ["from_country"] = "US",
                ["customers"] = new JsonObject { ["name"] = "Jane Roe", ["email"] = "jane@example.org", ["category"] = category, ["organization"] = "Acme" },
            },
        }.Task("task.created", 0).Task("task-queue.entered", 0).Task("task.canceled", 30);

    [Fact]
    public async Task NonHipaa_OnePhoneTwoCalls_OneCustomerFromTheLatestInAnyOrder()
    {
        var (service, customers) = Arrange();
        var run = Random.Shared.Next(0x10000, 0xFFFFF);
        var phone = $"+1555{run:D7}";
        var at = new DateTimeOffset(2032, 5, 1, 9, 0, 0, TimeSpan.Zero);
        var early = Call($"WT{run:x8}000000000000000000000001", at, phone, "Standard", TestSids.NonHipaaAccount);
        var late = Call($"WT{run:x8}000000000000000000000002", at.AddHours(1), $"whatsapp:{phone[..2]} {phone[2..5]}-{phone[5..]}", "VIP", TestSids.NonHipaaAccount);

        await service.HandleAsync(late.Events.Select(f => Envelopes.From(f, hipaa: false)).ToList(), CancellationToken.None);
        await service.HandleAsync(early.Events.Select(f => Envelopes.From(f, hipaa: false)).ToList(), CancellationToken.None);

        var row = (await customers.GetEntityAsync<TableEntity>(TableConversationStore.CustomerPartition(TestSids.NonHipaaAccount, phone), TableConversationStore.CustomerRowKey(TestSids.NonHipaaAccount, phone))).Value;
        Assert.Equal(("VIP", "Jane Roe", "SPRINGFIELD", "US", late.TaskSid), (row.GetString("category"), row.GetString("name"), row.GetString("city"), row.GetString("country"), row.GetString("_source_conversation")));
    }

    [Fact]
    public async Task Hipaa_KeyedByConversation_OnlyAllowListedFields()
    {
        var (service, customers) = Arrange();
        var run = Random.Shared.Next(0x10000, 0xFFFFF);
        var call = Call($"WT{run:x8}000000000000000000000003", new DateTimeOffset(2032, 5, 2, 9, 0, 0, TimeSpan.Zero), "+15550100123", "VIP", TestSids.Account);

        await service.HandleAsync(Envelopes.From(call), CancellationToken.None);

        var row = (await customers.GetEntityAsync<TableEntity>(TableConversationStore.CustomerPartition(TestSids.Account, call.TaskSid), TableConversationStore.CustomerRowKey(TestSids.Account, call.TaskSid))).Value;
        Assert.Equal(("VIP", "Acme", "US"), (row.GetString("category"), row.GetString("organization"), row.GetString("country")));
        foreach (var pii in new[] { "name", "email", "phone", "city", "zip" })
        {
            Assert.False(row.ContainsKey(pii), $"{pii} must not be stored for a HIPAA account");
        }
    }
}
