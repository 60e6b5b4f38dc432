using System.Text.RegularExpressions;
using InsightsFunctions.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace InsightsFunctions.Tests.Infra;

/// <summary>azure-pipelines.yml (and its deploy template) and azure.yaml, parsed as YAML and checked for what issue 7 asks.</summary>
[Trait("Category", "Infra")]
public sealed partial class PipelineYamlTests
{
    private static YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(RepositoryFiles.Path(relative)));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlNode? Get(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode node, string key) => (Get(node, key) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Items(YamlNode? node) => node is YamlSequenceNode sequence ? sequence.Children : [];

    /// <summary>Every step mapping under a node, however deeply nested (jobs, deployment strategies).</summary>
    private static IEnumerable<YamlMappingNode> Steps(YamlNode node) => node switch
    {
        YamlMappingNode map => (map.Children.TryGetValue(new YamlScalarNode("steps"), out var steps) ? Items(steps).OfType<YamlMappingNode>() : [])
            .Concat(map.Children.Values.SelectMany(Steps)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Steps),
        _ => [],
    };

    [Fact]
    public void Pipeline_BuildStage_RunsTheReadmeTestCommand_BicepAndPublishesTheZip()
    {
        var pipeline = Load("azure-pipelines.yml");

        var build = Assert.Single(Items(Get(pipeline, "stages")), s => Scalar(s, "stage") == "Build");
        var steps = Steps(build).ToList();
        var scripts = steps.Select(s => Scalar(s, "script")).OfType<string>().ToList();
        Assert.Contains(scripts, s => s.StartsWith(ReadmeTestCommand(), StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.StartsWith("./scripts/bicep.sh", StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.StartsWith("dotnet publish Functions/Functions.csproj -c Release", StringComparison.Ordinal));
        var artifacts = steps.Where(s => Scalar(s, "task") == "PublishPipelineArtifact@1").Select(s => Scalar(Get(s, "inputs")!, "artifact")).ToList();
        Assert.Equal(["functions", "infra"], artifacts);
        // The test step comes before publishing: a red suite publishes nothing.
        Assert.True(scripts.FindIndex(s => s.StartsWith(ReadmeTestCommand(), StringComparison.Ordinal)) < scripts.FindIndex(s => s.StartsWith("dotnet publish", StringComparison.Ordinal)));
    }

    [Fact]
    public void Pipeline_DeployStages_ArePerEnvironment_InOrder_FromTheTemplate()
    {
        var pipeline = Load("azure-pipelines.yml");

        var deploys = Items(Get(pipeline, "stages")).Where(s => Scalar(s, "template") is not null).ToList();
        Assert.All(deploys, d => Assert.Equal("azure-pipelines/deploy-environment.yml", Scalar(d, "template")));
        var parameters = deploys.Select(d => Get(d, "parameters")!).ToList();
        Assert.Equal(["DeployDev", "DeployProd"], parameters.Select(p => Scalar(p, "stage")));
        Assert.Equal(["Build", "DeployDev"], parameters.Select(p => Scalar(p, "dependsOn")));
        Assert.Equal(["insights-dev", "insights-prod"], parameters.Select(p => Scalar(p, "environment")));
        Assert.All(parameters, p => Assert.False(string.IsNullOrEmpty(Scalar(p, "serviceConnection"))));
    }

    [Fact]
    public void DeployTemplate_ProvisionsWithAzureCli_DeploysWithAzureFunctionApp_InADeploymentJob()
    {
        var template = Load("azure-pipelines/deploy-environment.yml");

        var stage = Assert.Single(Items(Get(template, "stages")));
        var job = Assert.Single(Items(Get(stage, "jobs")));
        Assert.Equal("${{ parameters.environment }}", Scalar(job, "environment"));
        var steps = Steps(job).ToList();
        var tasks = steps.Select(s => Scalar(s, "task")).OfType<string>().ToList();
        Assert.Equal(["AzureCLI@2", "AzureFunctionApp@2", "AzureCLI@2"], tasks);

        var provision = steps.First(s => Scalar(s, "task") == "AzureCLI@2");
        Assert.Equal("${{ parameters.serviceConnection }}", Scalar(Get(provision, "inputs")!, "azureSubscription"));
        Assert.Contains("az deployment sub create", Scalar(Get(provision, "inputs")!, "inlineScript"), StringComparison.Ordinal);
        Assert.Contains("main.bicepparam", Scalar(Get(provision, "inputs")!, "inlineScript"), StringComparison.Ordinal);
        var deploy = Get(steps.Single(s => Scalar(s, "task") == "AzureFunctionApp@2"), "inputs")!;
        Assert.Equal("true", Scalar(deploy, "isFlexConsumption"));
        Assert.EndsWith("functions.zip", Scalar(deploy, "package"), StringComparison.Ordinal);
        var last = Get(steps.Last(s => Scalar(s, "task") == "AzureCLI@2"), "inputs")!;
        Assert.EndsWith("scripts/azure-postdeploy.sh", Scalar(last, "scriptPath"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("azure-pipelines.yml")]
    [InlineData("azure-pipelines/deploy-environment.yml")]
    [InlineData("azure.yaml")]
    public void Yaml_CarriesNoSecrets(string relative)
    {
        var text = File.ReadAllText(RepositoryFiles.Path(relative));
        Load(relative);

        Assert.DoesNotMatch(SecretLike(), text);
        // Variables come from the environment's variable group, never inline values marked secret.
        Assert.DoesNotContain("isSecret", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Azd_MapsTheFunctionsProjectToTheTaggedApp_AndItsHookExists()
    {
        var azd = Load("azure.yaml");

        var api = Get(Get(azd, "services")!, "api")!;
        Assert.Equal("function", Scalar(api, "host"));
        Assert.Equal("dotnet", Scalar(api, "language"));
        Assert.True(File.Exists(RepositoryFiles.Path(Path.Combine(Scalar(api, "project")!, "Functions.csproj"))));
        Assert.Equal("bicep", Scalar(Get(azd, "infra")!, "provider"));
        Assert.True(File.Exists(RepositoryFiles.Path(Path.Combine(Scalar(Get(azd, "infra")!, "path")!, Scalar(Get(azd, "infra")!, "module")! + ".bicep"))));
        var hook = Scalar(Get(Get(azd, "hooks")!, "postdeploy")!, "run")!;
        Assert.True(File.Exists(RepositoryFiles.Path(hook.Split(' ').Last())));
    }

    [Fact]
    public async Task Azd_ServiceName_IsTheTagOnTheFunctionApp()
    {
        var app = Assert.Single(ArmResource.All(await BicepCli.MainTemplate), r => r.Type == "Microsoft.Web/sites");

        Assert.Contains("'azd-service-name', 'api'", (string)app.Body["tags"]!, StringComparison.Ordinal);
        Assert.NotNull(Get(Get(Load("azure.yaml"), "services")!, "api"));
    }

    [Fact]
    public void CiRun_CallsTheReadmeTestCommand()
    {
        var ci = File.ReadAllText(RepositoryFiles.Path(".ci/run"));

        Assert.Contains("exec " + ReadmeTestCommand(), ci, StringComparison.Ordinal);
    }

    /// <summary>The second of the README's two set-up commands.</summary>
    private static string ReadmeTestCommand()
    {
        var readme = File.ReadAllText(RepositoryFiles.Path("README.md"));
        var block = ReadmeCommands().Match(readme);
        Assert.True(block.Success, "README starts without its two commands");
        return block.Groups["test"].Value;
    }

    [GeneratedRegex(@"\A# [^\n]+\n+```bash\n(?<demo>\S+)[^\n]*\n(?<test>\S+)[^\n]*\n```")]
    private static partial Regex ReadmeCommands();

    [GeneratedRegex(@"(AccountKey=|SharedAccessKey|SharedAccessSignature|InstrumentationKey=|password\s*:|clientSecret|AC[0-9a-f]{32}|[A-Za-z0-9+/]{40,}={0,2})", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLike();
}
