using System.Reflection;
using InsightsFunctions.Datasets;
using InsightsFunctions.Storage;

namespace InsightsFunctions.Tests.Storage;

[Trait("Category", "Unit")]
public sealed class TableNamesTests
{
    /// <summary>The tables the pipeline writes, by the code that writes them (grep of tables.GetAsync).</summary>
    [Fact]
    public void All_ListsEveryTableThePipelineWrites()
    {
        Assert.Equal(
            ["Activities", "AgentActivityIntervals", "AgentActivityState", "AgentIntervals", "AgentStatus", "Agents", "Components", "Conversations",
             "Customers", "LinkKeys", "LoadChanges", "QueueAgents", "QueueIntervals", "QueueStatus", "QueueTallies", "RtaIntervals", "Segments", "TaskEvents"],
            TableNames.All.Order(StringComparer.Ordinal));
        Assert.Equal(TableNames.All.Length, TableNames.All.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void All_HoldsEveryDatasetTable()
    {
        Assert.All(DatasetCatalog.All, d => Assert.Contains(d.Table, TableNames.All));
    }

    /// <summary>
    /// A table name declared anywhere in the Functions assembly as a string constant (TableNames' own, and the
    /// <c>*Table</c> / <c>TableName</c> constants the stores keep) is in <see cref="TableNames.All"/>: a new table
    /// written without being listed fails here (and <see cref="StorageTables.Opened"/> is checked against All in
    /// SimulatedDayIntegrationTests).
    /// </summary>
    [Fact]
    public void All_HoldsEveryTableConstantOfTheFunctionsAssembly()
    {
        var constants = typeof(TableNames).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Where(f => f.DeclaringType == typeof(TableNames) || f.Name.EndsWith("Table", StringComparison.Ordinal) || f.Name == "TableName"
                || (f.Name == "Table" && f.DeclaringType!.Namespace == typeof(DatasetCatalog).Namespace))
            .Select(f => (Field: $"{f.DeclaringType!.Name}.{f.Name}", Value: (string)f.GetRawConstantValue()!))
            .ToList();
        Assert.True(constants.Count >= TableNames.All.Length);
        Assert.All(constants, c => Assert.True(TableNames.All.Contains(c.Value), $"{c.Field} = {c.Value} is not in TableNames.All"));
    }
}
