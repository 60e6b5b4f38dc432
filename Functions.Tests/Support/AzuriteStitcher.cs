using Azure.Data.Tables;
using InsightsFunctions.Configuration;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.Tests.Integration;

namespace InsightsFunctions.Tests.Support;

/// <summary>A stitching service over Azurite tables, with its own link-index client (like one consumer instance).</summary>
public static class AzuriteStitcher
{
    public static readonly ReportingClock Reporting = new("UTC");

    public static readonly ConversationBuilder Builder = new(new SegmentBuilder(new SlaPolicy(new SlaOptions())), Reporting);

    public static (StitchingService Service, StorageTables Tables) Create()
    {
        Azurite.EnsureRunning();
        var tables = new StorageTables(new TableServiceClient(Azurite.ConnectionString));
        var index = new TableLinkIndex(tables);
        return (new StitchingService(new TableConversationStore(tables, TimeProvider.System, new TableDatasetChangeLog(tables), AzuriteStitcher.Reporting), new ConversationLinker(index), index, Builder), tables);
    }
}
