namespace InsightsFunctions.Tests.Support;

/// <summary>Valid-looking, obviously fake SIDs for hand-written tests.</summary>
public static class TestSids
{
    public const string Account = "AC00000000000000000000000000000a11";
    public const string NonHipaaAccount = "AC00000000000000000000000000000b22";
    public const string UnknownAccount = "AC00000000000000000000000000000c33";
    public const string Workspace = "WS00000000000000000000000000000001";
    /// <summary>
    /// Every fake auth token in the tests is this prefix and a 4-hex tag: 32 hexadecimal characters, as a Twilio token must
    /// be (SecretShape), made of "7e57" ("test") and zeros so that it can never be mistaken for a real credential.
    /// </summary>
    public const string FakeTokenPrefix = "7e57" + "000000000000000000000000";

    public const string AuthToken = TestSids.FakeTokenPrefix + "0009";
    public const string NonHipaaToken = TestSids.FakeTokenPrefix + "000d";

    private static long _counter;

    /// <summary>A new unique SID with the prefix (process-wide counter, hex).</summary>
    public static string New(string prefix) => prefix + Interlocked.Increment(ref _counter).ToString("x32");

    public static string Fixed(string prefix, int n) => prefix + n.ToString("x32");
}
