using System.Text.Json.Nodes;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// Private networking (<c>vnetEnabled</c>): off by default; on, the app integrates with a subnet delegated to Flex
/// Consumption, storage (blob, table) and Event Hubs get private endpoints with their private DNS zones and refuse
/// public network access. Conditions and values are evaluated from the compiled template for both settings.
/// </summary>
[Trait("Category", "Infra")]
public sealed class InfraNetworkTests
{
    private static async Task<JsonObject> Module(string symbol) => ArmResource.ModuleDeployment(await BicepCli.MainTemplate, symbol);

    private static ArmEvaluator WithVnet(bool vnetEnabled) => new(
        new Dictionary<string, JsonNode?> { ["vnetEnabled"] = vnetEnabled },
        reference: name => name == "network" ? JsonNode.Parse("""{"outputs": {"appSubnetId": {"value": "/subnets/app"}}}""") : null);

    [Fact]
    public async Task PrivateNetworking_IsOffByDefault_OneParameterTurnsItOn()
    {
        var main = await BicepCli.MainTemplate;
        Assert.False((bool)main["parameters"]!["vnetEnabled"]!["defaultValue"]!);
        Assert.Equal("[parameters('vnetEnabled')]", (string)(await Module("network"))["condition"]!);
        Assert.Equal("[parameters('vnetEnabled')]", (string)(await Module("privateEndpoints"))["condition"]!);

        foreach (var symbol in new[] { "storage", "eventHubs" })
        {
            var access = (string)(await Module(symbol))["properties"]!["parameters"]!["publicNetworkAccess"]!;
            Assert.Equal("Disabled", (string)WithVnet(true).Evaluate(access)!["value"]!);
            Assert.Equal("Enabled", (string)WithVnet(false).Evaluate(access)!["value"]!);
        }
        var subnet = (string)(await Module("functionApp"))["properties"]!["parameters"]!["appSubnetId"]!;
        Assert.Equal("/subnets/app", (string)WithVnet(true).Evaluate(subnet)!["value"]!);
        Assert.Equal("", (string)WithVnet(false).Evaluate(subnet)!["value"]!);
        Assert.Contains("privateEndpoints", (await Module("functionApp"))["dependsOn"]!.AsArray().Select(d => (string)d!));
    }

    [Fact]
    public async Task PrivateEndpoints_CoverBlobTableAndEventHubs_EachWithItsPrivateDnsZone()
    {
        var template = ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "privateEndpoints");
        var endpoints = new ArmEvaluator(new Dictionary<string, JsonNode?> { ["storageAccountName"] = "sttest", ["eventHubsNamespaceName"] = "evhns-test" })
            .EvaluateNode(template["variables"]!["endpoints"])!.AsArray();

        Assert.Equal(["blob", "table", "namespace"], endpoints.Select(e => (string)e!["group"]!));
        Assert.Equal(["privatelink.blob.core.windows.net", "privatelink.table.core.windows.net", "privatelink.servicebus.windows.net"], endpoints.Select(e => (string)e!["zone"]!));
        Assert.EndsWith("Microsoft.Storage/storageAccounts/sttest", (string)endpoints[0]!["target"]!);
        Assert.EndsWith("Microsoft.EventHub/namespaces/evhns-test", (string)endpoints[2]!["target"]!);
        var resources = ArmResource.All(template);
        Assert.Single(resources, r => r.Type == "Microsoft.Network/privateEndpoints");
        Assert.Single(resources, r => r.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
        Assert.Single(resources, r => r.Type == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups");
        Assert.All(resources.Where(r => r.Type is "Microsoft.Network/privateEndpoints" or "Microsoft.Network/privateDnsZones"), r => Assert.NotNull(r.Body["copy"]));
    }

    [Fact]
    public async Task Network_TheAppSubnet_IsDelegatedToFlexConsumption()
    {
        var vnet = Assert.Single(ArmResource.All(ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "network")), r => r.Type == "Microsoft.Network/virtualNetworks");

        var subnets = vnet.Properties!["subnets"]!.AsArray();
        Assert.Equal(["app", "private-endpoints"], subnets.Select(s => (string)s!["name"]!));
        Assert.Equal("Microsoft.App/environments", (string)subnets[0]!["properties"]!["delegations"]![0]!["properties"]!["serviceName"]!);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("/subnets/app", "/subnets/app")]
    public async Task FunctionApp_IntegratesWithTheSubnet_OnlyWhenGiven(string appSubnetId, string? expected)
    {
        var app = Assert.Single(ArmResource.All(ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "functionApp")), r => r.Type == "Microsoft.Web/sites");

        var value = new ArmEvaluator(new Dictionary<string, JsonNode?> { ["appSubnetId"] = appSubnetId }).Evaluate((string)app.Properties!["virtualNetworkSubnetId"]!);

        Assert.Equal(expected, value is null ? null : (string)value!);
    }

    [Theory]
    [InlineData("Enabled", "Allow")]
    [InlineData("Disabled", "Deny")]
    public async Task Storage_DeniesEveryNetwork_WhenPublicAccessIsOff(string access, string defaultAction)
    {
        var storage = Assert.Single(ArmResource.All(ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "storage")), r => r.Type == "Microsoft.Storage/storageAccounts");
        var evaluator = new ArmEvaluator(new Dictionary<string, JsonNode?> { ["publicNetworkAccess"] = access });

        Assert.Equal(access, (string)evaluator.Evaluate((string)storage.Properties!["publicNetworkAccess"]!)!);
        Assert.Equal(defaultAction, (string)evaluator.Evaluate((string)storage.Properties!["networkAcls"]!["defaultAction"]!)!);
    }
}
