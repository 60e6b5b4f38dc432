namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A fresh folder for a test host's local bus (<c>Insights:LocalBus:Path</c>): each host its own durable log, so hosts
/// running side by side neither share events nor meet each other's lock. Removed when the test process ends.
/// </summary>
public static class TestBus
{
    public const string PathSetting = "Insights:LocalBus:Path";

    private static readonly string Root = Path.Combine(Path.GetTempPath(), $"insights-test-bus-{Environment.ProcessId}");

    static TestBus()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // a folder still open at exit stays in the temp directory
            }
        };
    }

    public static string NewFolder() => Path.Combine(Root, Guid.NewGuid().ToString("N"));
}
