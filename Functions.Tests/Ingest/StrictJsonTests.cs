using System.Text;
using InsightsFunctions.Ingest;

namespace InsightsFunctions.Tests.Ingest;

/// <summary>What System.Text.Json reads lazily and would throw on later is refused up front; everything else parses.</summary>
[Trait("Category", "Unit")]
public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("""{"a": "\ud800"}""")]
    [InlineData("""{"a": "\udc00x"}""")]
    [InlineData("""{"a": "\ud800\u0041"}""")]
    [InlineData("""{"a": "\ud800\ud800\udc00"}""")]
    [InlineData("""{"a": "\ud800\n"}""")]
    [InlineData("""{"\udbff": 1}""")]
    [InlineData("""[["x", {"b": ["\ud83d"]}]]""")]
    public void LoneSurrogateEscape_Refused(string json) =>
        Assert.Equal("Body has a \\u escape that is a lone UTF-16 surrogate.", StrictJson.Parse(Encoding.UTF8.GetBytes(json)).Problem);

    [Theory]
    [InlineData("""{"a": "\ud83d\ude00"}""", "\U0001F600")]
    [InlineData("""{"a": "\\ud800"}""", "\\ud800")] // an escaped backslash, then text
    [InlineData("""{"a": "\u00e9\n\"\/"}""", "é\n\"/")]
    [InlineData("""{"a": "plain é"}""", "plain é")]
    public void WellFormedStrings_Parse(string json, string expected) =>
        Assert.Equal(expected, (string?)StrictJson.Parse(Encoding.UTF8.GetBytes(json)).Node!["a"]);

    [Theory]
    [InlineData("""{"a": 1, "a": 2}""")]
    [InlineData("""{"x": {"a": 1, "a": 2}}""")]
    [InlineData("""[{"a": 1, "b": 2, "a": 3}]""")]
    public void RepeatedName_Refused(string json) =>
        Assert.Equal("Body has a property name twice in one object.", StrictJson.Parse(Encoding.UTF8.GetBytes(json)).Problem);

    [Theory]
    [InlineData(new byte[] { (byte)'"', 0xFF, (byte)'"' })]
    [InlineData(new byte[] { (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' })] // a surrogate encoded as UTF-8
    [InlineData(new byte[] { (byte)'"', 0xC0, 0x80, (byte)'"' })] // overlong
    public void NotUtf8_Refused(byte[] body) => Assert.Equal("Body is not valid UTF-8.", StrictJson.Parse(body).Problem);

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("{\"a\": 1,}")]
    [InlineData("/* c */ {}")]
    public void NotJson_Refused(string json) => Assert.Equal("Body is not valid JSON.", StrictJson.Parse(Encoding.UTF8.GetBytes(json)).Problem);

    [Fact]
    public void DeeperThan64_RefusedAsNotJson() =>
        Assert.Equal("Body is not valid JSON.", StrictJson.Parse(Encoding.UTF8.GetBytes(new string('[', 65) + new string(']', 65))).Problem);
}
