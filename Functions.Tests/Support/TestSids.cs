namespace InsightsFunctions.Tests.Support;

/// <summary>Valid-looking, obviously fake SIDs for hand-written tests.</summary>
public static class TestSids
{
    public const string Account = "AC00000000000000000000000000000a11";
    public const string NonHipaaAccount = "AC00000000000000000000000000000b22";
    public const string UnknownAccount = "AC00000000000000000000000000000c33";
    public const string Workspace = "WS00000000000000000000000000000001";
    public const string AuthToken = "7e57a110000000000000000000000000";
    public const string NonHipaaToken = "7e57b220000000000000000000000000";

    private static long _counter;

    /// <summary>A new unique SID with the prefix (process-wide counter, hex).</summary>
    public static string New(string prefix) => prefix + Interlocked.Increment(ref _counter).ToString("x32");

    public static string Fixed(string prefix, int n) => prefix + n.ToString("x32");
}
