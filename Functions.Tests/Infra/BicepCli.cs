using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InsightsFunctions.Tests.Support;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// The real bicep compiler from the NuGet package Azure.Bicep.CommandLine.linux-x64 (its path is baked into this
/// assembly at build time), run offline. A run's diagnostics are the "file(line,col) : Level code: message" lines.
/// </summary>
internal static partial class BicepCli
{
    public static string InfraDirectory => RepositoryFiles.Path("infra");

    public static string ExecutablePath
    {
        get
        {
            var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "BicepPath").Value?.Replace('\\', '/');
            Assert.False(string.IsNullOrEmpty(path), "BicepPath is not set: is Azure.Bicep.CommandLine.linux-x64 referenced with its build assets?");
            Assert.True(File.Exists(path), $"No bicep binary at {path}");
            if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            }
            return path;
        }
    }

    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<Diagnostic> Diagnostics =>
            [.. DiagnosticLine().Matches(Stdout + "\n" + Stderr).Select(m => new Diagnostic(m.Groups["file"].Value, m.Groups["level"].Value, m.Groups["code"].Value, m.Value.Trim()))];
    }

    public sealed record Diagnostic(string File, string Level, string Code, string Line);

    public static async Task<Run> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Offline and quiet: no telemetry, no update checks.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>main.bicep compiled to ARM JSON (once per test run).</summary>
    public static Task<JsonObject> MainTemplate => LazyMain.Value;

    private static readonly Lazy<Task<JsonObject>> LazyMain = new(async () =>
    {
        var run = await RunAsync(null, "build", "main.bicep", "--stdout");
        Assert.True(run.ExitCode == 0, $"bicep build main.bicep failed:\n{run.Stderr}");
        return JsonNode.Parse(run.Stdout)!.AsObject();
    });

    [GeneratedRegex(@"^(?<file>[^\r\n(]+)\(\d+,\d+\) : (?<level>Error|Warning|Info) (?<code>[^:\s]+): [^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}
