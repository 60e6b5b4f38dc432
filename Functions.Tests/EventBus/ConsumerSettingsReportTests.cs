using InsightsFunctions.EventBus;
using InsightsFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace InsightsFunctions.Tests.EventBus;

[Trait("Category", "Unit")]
public sealed class ConsumerSettingsReportTests
{
    private static async Task<CapturedLogs> StartAsync(Dictionary<string, string?> settings)
    {
        var logs = new CapturedLogs();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await new ConsumerSettingsReport(configuration, factory.CreateLogger<ConsumerSettingsReport>()).StartAsync(CancellationToken.None);
        return logs;
    }

    [Fact]
    public async Task TheRetiredBatchWindow_WhenStillSet_IsReportedAtStartAsIgnored_NamingTheSettingNotTheValue()
    {
        var logs = await StartAsync(new() { ["Insights:Consumer:BatchWindow"] = "00:00:17" });

        var line = Assert.Single(logs.Lines);
        Assert.StartsWith("Error", line, StringComparison.Ordinal);
        Assert.Contains("Insights:Consumer:BatchWindow is set but ignored", line, StringComparison.Ordinal);
        Assert.Contains("Insights:Consumer:MaxCommitDelay", line, StringComparison.Ordinal);
        Assert.DoesNotContain("00:00:17", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheRetiredSetting_NothingIsReported()
    {
        var logs = await StartAsync(new() { ["Insights:Consumer:MaxCommitDelay"] = "00:00:02" });

        Assert.Empty(logs.Lines);
    }
}
