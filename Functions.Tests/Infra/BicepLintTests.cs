using System.Text.Json.Nodes;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// Every Bicep file under infra/ builds and lints clean with the real compiler (offline): any Warning or Error
/// fails, unless it is listed in <see cref="AcceptedWarnings"/> with its reason.
/// </summary>
[Trait("Category", "Infra")]
public sealed class BicepLintTests
{
    /// <summary>Diagnostic codes accepted on purpose, with why. Empty: nothing is accepted today.</summary>
    private static readonly Dictionary<string, string> AcceptedWarnings = new(StringComparer.Ordinal);

    /// <summary>What main.bicepparam reads from the environment (azd and the pipeline set these).</summary>
    internal static readonly Dictionary<string, string> ParameterEnvironment = new()
    {
        ["AZURE_ENV_NAME"] = "insights-test",
        ["AZURE_LOCATION"] = "eastus2",
        ["AZURE_PRINCIPAL_ID"] = "00000000-0000-0000-0000-000000000001",
        ["INSIGHTS_TWILIO_ACCOUNTS"] = """[{"accountSid":"AC11111111111111111111111111111111","hipaa":true,"workspaces":["WS11111111111111111111111111111111"]},{"accountSid":"AC22222222222222222222222222222222","hipaa":false}]""",
    };

    private static IEnumerable<string> BicepFiles =>
        Directory.EnumerateFiles(BicepCli.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(BicepCli.InfraDirectory, f).Replace('\\', '/'));

    [Fact]
    public async Task Build_EveryBicepFile_CompilesWithoutUnacceptedDiagnostics()
    {
        await InTempDirectory(async outDir =>
        {
            // Act
            var run = await BicepCli.RunAsync(null, "build", "--pattern", "**/*.bicep", "--outdir", outDir.FullName);

            // Assert
            AssertClean(run, "bicep build");
            foreach (var file in BicepFiles)
            {
                Assert.True(File.Exists(Path.Combine(outDir.FullName, Path.ChangeExtension(file, ".json"))), $"{file} was not compiled");
            }
        });
    }

    [Fact]
    public async Task Lint_EveryBicepFile_ReportsNoUnacceptedDiagnostics()
    {
        // Act
        var run = await BicepCli.RunAsync(null, "lint", "--pattern", "**/*.bicep");

        // Assert
        AssertClean(run, "bicep lint");
        Assert.NotEmpty(BicepFiles);
    }

    [Fact]
    public async Task Lint_TheParametersFile_ReportsNoUnacceptedDiagnostics()
    {
        // Act
        var run = await BicepCli.RunAsync(ParameterEnvironment, "lint", "main.bicepparam");

        // Assert
        AssertClean(run, "bicep lint main.bicepparam");
    }

    [Fact]
    public async Task Lint_AFileWithAWarning_IsCaughtByTheDiagnosticsReader()
    {
        // Arrange: outside infra/, so the project's bicepconfig.json (which raises this rule to an error) does not apply.
        await InTempDirectory(async dir =>
        {
            var file = Path.Combine(dir.FullName, "warns.bicep");
            await File.WriteAllTextAsync(file, "param unused string\n");

            // Act
            var run = await BicepCli.RunAsync(null, "lint", file);

            // Assert
            var diagnostic = Assert.Single(run.Diagnostics);
            Assert.Equal(("Warning", "no-unused-params"), (diagnostic.Level, diagnostic.Code));
        });
    }

    [Fact]
    public async Task BuildParams_FromTheEnvironment_PassesTheAccountsAsObjects()
    {
        // Act
        var run = await BicepCli.RunAsync(ParameterEnvironment, "build-params", "main.bicepparam", "--stdout");

        // Assert
        AssertClean(run, "bicep build-params");
        var parameters = JsonNode.Parse((string)JsonNode.Parse(run.Stdout)!["parametersJson"]!)!["parameters"]!;
        Assert.Equal("insights-test", (string)parameters["environmentName"]!["value"]!);
        var accounts = parameters["twilioAccounts"]!["value"]!.AsArray();
        Assert.Equal(["AC11111111111111111111111111111111", "AC22222222222222222222222222222222"], accounts.Select(a => (string)a!["accountSid"]!));
        Assert.Equal([true, false], accounts.Select(a => (bool)a!["hipaa"]!));
        Assert.Equal("WS11111111111111111111111111111111", (string)accounts[0]!["workspaces"]![0]!);
        Assert.Null(accounts[1]!["workspaces"]);
        Assert.False((bool)parameters["vnetEnabled"]!["value"]!); // private networking only when asked for
    }

    private static async Task InTempDirectory(Func<DirectoryInfo, Task> test)
    {
        var dir = Directory.CreateTempSubdirectory("insights-bicep-");
        try
        {
            await test(dir);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertClean(BicepCli.Run run, string what)
    {
        var unaccepted = run.Diagnostics.Where(d => d.Level != "Info" && !AcceptedWarnings.ContainsKey(d.Code)).Select(d => d.Line).ToList();
        Assert.True(unaccepted.Count == 0, $"{what} reported:\n{string.Join('\n', unaccepted)}");
        Assert.True(run.ExitCode == 0, $"{what} exited {run.ExitCode}:\n{run.Stderr}");
    }
}
