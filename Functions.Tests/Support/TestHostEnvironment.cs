using Microsoft.Extensions.Hosting;

namespace InsightsFunctions.Tests.Support;

/// <summary>The host environment for a container built without a host (Production unless named otherwise).</summary>
public sealed class TestHostEnvironment(string name = "Production") : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;
    public string ApplicationName { get; set; } = "tests";
    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
}
