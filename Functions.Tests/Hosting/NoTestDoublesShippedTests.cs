using System.Reflection;
using InsightsFunctions.Agents;
using InsightsFunctions.Backfill;
using InsightsFunctions.EventBus;
using InsightsFunctions.Exports;
using InsightsFunctions.Loads;
using InsightsFunctions.Realtime;
using InsightsFunctions.Stitching;
using InsightsFunctions.Storage;
using InsightsFunctions.TestSupport;
using InsightsFunctions.Datasets;

namespace InsightsFunctions.Tests.Hosting;

/// <summary>
/// The app and the CLI ship no test doubles: the in-memory stores and the folder export sink live in
/// InsightsFunctions.TestSupport, and every storage boundary is implemented in the app only by a Table or Blob adapter.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NoTestDoublesShippedTests
{
    private static readonly Type[] StorageBoundaries =
    [
        typeof(IConversationStore), typeof(ILinkIndex), typeof(IAgentStatusStore), typeof(IQueueStatusStore),
        typeof(IAgentStore), typeof(IBackfillCheckpointStore), typeof(IReceivedEvents), typeof(ILoadSource),
        typeof(IDatasetChangeLog), typeof(IIntervalStore), typeof(ILoadLock), typeof(IExportSink), typeof(IDeadLetterSink),
    ];

    public static TheoryData<string> ShippedAssemblies => new()
    {
        typeof(TableLinkIndex).Assembly.GetName().Name!, // the Functions app
        typeof(InsightsFunctions.Cli.Simulation.ContactCenterSimulator).Assembly.GetName().Name!, // the CLI
    };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void No_in_memory_store_or_folder_export_sink_is_shipped(string assembly)
    {
        var doubles = Load(assembly).GetTypes()
            .Where(t => t.Name.StartsWith("InMemory", StringComparison.Ordinal) || t.Name == nameof(DirectoryExportSink))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(doubles);
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Storage_boundaries_are_implemented_only_by_table_or_blob_adapters(string assembly)
    {
        var others = Load(assembly).GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && StorageBoundaries.Any(b => b.IsAssignableFrom(t)))
            .Where(t => !t.Name.StartsWith("Table", StringComparison.Ordinal) && !t.Name.StartsWith("Blob", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(others);
    }

    [Fact]
    public void Every_storage_boundary_has_its_adapter_in_the_app_and_the_doubles_live_in_test_support()
    {
        var app = typeof(TableLinkIndex).Assembly.GetTypes();
        Assert.All(StorageBoundaries, b => Assert.Contains(app, t => t is { IsClass: true, IsAbstract: false } && b.IsAssignableFrom(t)));
        Assert.Equal("InsightsFunctions.TestSupport", typeof(InMemoryLinkIndex).Assembly.GetName().Name);
        Assert.Equal("InsightsFunctions.TestSupport", typeof(DirectoryExportSink).Assembly.GetName().Name);
    }

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));
}
