using InsightsFunctions.Stitching;

namespace InsightsFunctions.Tests.Stitching;

[Trait("Category", "Unit")]
public sealed class SortedColumnsTests
{
    [Fact]
    public void Columns_EnumerateInOrdinalKeyOrder_AndALaterValueForAKeyWins()
    {
        var columns = SortedColumns.From([new("zip", "1"), new("Case", "a"), new("case", "b"), new("zip", "2"), new("city", "c")]);

        Assert.Equal(["Case", "case", "city", "zip"], columns.Keys);
        Assert.Equal(["a", "b", "c", "2"], columns.Values);
        Assert.Equal("2", columns["zip"]);
        Assert.Equal(4, columns.Count);
    }

    [Fact]
    public void Lookups_AreExact()
    {
        var columns = SortedColumns.From([new("phone", "+1"), new("country", "US")]);

        Assert.True(columns.TryGetValue("phone", out var phone));
        Assert.Equal("+1", phone);
        Assert.False(columns.ContainsKey("Phone"));
        Assert.Null(columns.GetValueOrDefault("state"));
        Assert.Throws<KeyNotFoundException>(() => columns["state"]);
    }

    [Fact]
    public void NoColumns_IsTheSharedEmptySet()
    {
        Assert.Same(SortedColumns.Empty, SortedColumns.From([]));
        Assert.Empty(SortedColumns.Empty);
    }
}
