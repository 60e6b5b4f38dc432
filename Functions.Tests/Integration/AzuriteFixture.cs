using System.Net.Sockets;

namespace InsightsFunctions.Tests.Integration;

/// <summary>
/// Integration tests need Azurite on 127.0.0.1:10000-10002 (scripts/test.sh starts it). Without it they
/// fail with this message rather than pass or skip silently.
/// </summary>
public static class Azurite
{
    public const string ConnectionString = "UseDevelopmentStorage=true";

    public static void EnsureRunning()
    {
        foreach (var port in new[] { 10000, 10002 })
        {
            using var client = new TcpClient();
            try
            {
                client.Connect("127.0.0.1", port);
            }
            catch (SocketException)
            {
                Assert.Fail($"Azurite is not listening on 127.0.0.1:{port}. Run the suite with scripts/test.sh, which starts it.");
            }
        }
    }
}
