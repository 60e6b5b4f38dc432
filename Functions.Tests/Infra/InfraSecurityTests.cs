using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using InsightsFunctions.Hosting;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// The security posture of the compiled ARM template of infra/main.bicep (issue 7): what a HIPAA workload
/// needs from the storage account, Event Hubs, Key Vault, monitoring and the function app, and app settings
/// that carry service URIs and Key Vault references only.
/// </summary>
[Trait("Category", "Infra")]
public sealed class InfraSecurityTests
{
    private static async Task<IReadOnlyList<ArmResource>> Resources() => ArmResource.All(await BicepCli.MainTemplate);

    private static async Task<ArmResource> Single(string type) => Assert.Single(await Resources(), r => r.Type == type);

    private static async Task<IReadOnlyList<(string Key, ArmExpression Value)>> AppSettings()
    {
        var app = ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "functionApp");
        var settings = Assert.Single(await Resources(), r => r.Type == "Microsoft.Web/sites/config");
        Assert.Equal("appsettings", ArmExpression.Parse((string)settings.Body["name"]!).Descendants().OfType<ArmExpression.Literal>().Last().AsString);
        // The settings object is main's literal entries plus the per-account entries of the accountSettings variable.
        var expression = ArmExpression.Parse((string)settings.Properties!);
        var accountSettings = ArmExpression.Parse((string)app["variables"]!["accountSettings"]!);
        return [.. expression.ObjectEntries().Concat(accountSettings.ObjectEntries()).Select(e => (KeyText(e.Key), e.Value))];
    }

    /// <summary>A literal key as itself; a computed key (<c>format('Insights__Accounts__{0}__AuthToken', …)</c>) as its format string.</summary>
    private static string KeyText(ArmExpression key) => key switch
    {
        ArmExpression.Literal { AsString: { } s } => s,
        ArmExpression.Call { Name: "format" } call => call.Arguments[0].AsString!,
        _ => key.Text,
    };

    [Fact]
    public async Task Storage_DisablesSharedKeyAndPublicAccess_AndRequiresHttpsAndTls12()
    {
        var storage = (await Single("Microsoft.Storage/storageAccounts")).Properties!;

        Assert.False((bool)storage["allowSharedKeyAccess"]!);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);
        Assert.True((bool)storage["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string)storage["minimumTlsVersion"]!);
        Assert.True((bool)storage["defaultToOAuthAuthentication"]!);
        Assert.All((await Resources()).Where(r => r.Type == "Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", (string)c.Properties!["publicAccess"]!));
    }

    [Fact]
    public async Task Storage_LifecycleRules_ExpireSpoolAndDeadLetters()
    {
        var rules = (await Single("Microsoft.Storage/storageAccounts/managementPolicies")).Properties!["policy"]!["rules"]!.AsArray();

        var prefixes = rules.SelectMany(r => r!["definition"]!["filters"]!["prefixMatch"]!.AsArray().Select(p => (string)p!)).ToList();
        Assert.Contains(InsightsFunctions.EventBus.BlobEventSpool.ContainerName + "/", prefixes);
        Assert.Contains(InsightsFunctions.EventBus.BlobDeadLetterSink.ContainerName + "/", prefixes);
        Assert.Contains(InsightsFunctions.Storage.BlobBackfillCheckpointStore.ContainerName + "/", prefixes);
        Assert.All(rules, r => Assert.NotNull(r!["definition"]!["actions"]!["baseBlob"]!["delete"]));
    }

    [Fact]
    public async Task EventHubs_DisablesSasAuth_AndHasAConsumerGroupPerConsumer()
    {
        var ns = await Single("Microsoft.EventHub/namespaces");
        Assert.True((bool)ns.Properties!["disableLocalAuth"]!);
        Assert.Equal("1.2", (string)ns.Properties!["minimumTlsVersion"]!);
        Assert.Equal("Standard", (string)ns.Body["sku"]!["name"]!);

        // The partition count is a parameter, passed through from main.bicep.
        var hub = await Single("Microsoft.EventHub/namespaces/eventhubs");
        Assert.Equal("[parameters('partitionCount')]", (string)hub.Properties!["partitionCount"]!);
        Assert.Contains("eventHubPartitionCount", ArmResource.ModuleParameters(await BicepCli.MainTemplate, "eventHubs")["partitionCount"]!.ToJsonString());
        Assert.Single(await Resources(), r => r.Type == "Microsoft.EventHub/namespaces/eventhubs/consumergroups");
        Assert.Equal("""["stitcher"]""", (await BicepCli.MainTemplate)["variables"]!["consumerGroups"]!.ToJsonString());
    }

    [Fact]
    public async Task KeyVault_IsRbacAuthorized_WithSoftDeleteAndPurgeProtection()
    {
        var vault = (await Single("Microsoft.KeyVault/vaults")).Properties!;

        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.True((bool)vault["enablePurgeProtection"]!);
        Assert.Null(vault["accessPolicies"]);
    }

    [Fact]
    public async Task Monitoring_IsWorkspaceBased_AndAcceptsOnlyEntraAuthenticatedTelemetry()
    {
        var insights = (await Single("Microsoft.Insights/components")).Properties!;

        Assert.True((bool)insights["DisableLocalAuth"]!);
        Assert.NotNull(insights["WorkspaceResourceId"]);
        await Single("Microsoft.OperationalInsights/workspaces");
    }

    [Fact]
    public async Task LogAnalytics_HasADailyCap_SoRequestFloodsCannotGrowTheBillWithoutBound()
    {
        var workspace = (await Single("Microsoft.OperationalInsights/workspaces")).Properties!;
        var main = await BicepCli.MainTemplate;

        Assert.Equal("[parameters('dailyCapGb')]", (string?)workspace["workspaceCapping"]?["dailyQuotaGb"]);
        var cap = main["parameters"]!["logDailyCapGb"]!;
        Assert.Equal(5, (int)cap["defaultValue"]!);
        Assert.Equal(1, (int)cap["minValue"]!);
        var monitoring = ArmResource.ModuleTemplate(main, "monitoring");
        Assert.NotNull(monitoring["parameters"]!["dailyCapGb"]);
    }

    [Fact]
    public async Task FunctionApp_IsFlexConsumptionDotnet10_HttpsOnlyTls12_WithAnAlwaysReadyInstance()
    {
        var plan = await Single("Microsoft.Web/serverfarms");
        Assert.Equal(("FlexConsumption", "FC1"), ((string)plan.Body["sku"]!["tier"]!, (string)plan.Body["sku"]!["name"]!));

        var app = await Single("Microsoft.Web/sites");
        var properties = app.Properties!;
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string)properties["siteConfig"]!["minTlsVersion"]!);
        Assert.Equal("Disabled", (string)properties["siteConfig"]!["ftpsState"]!);
        Assert.Equal("UserAssigned", (string)app.Body["identity"]!["type"]!);
        Assert.Equal("[parameters('identityId')]", (string)properties["keyVaultReferenceIdentity"]!);
        var runtime = properties["functionAppConfig"]!["runtime"]!;
        Assert.Equal(("dotnet-isolated", "10.0"), ((string)runtime["name"]!, (string)runtime["version"]!));
        Assert.Equal("UserAssignedIdentity", (string)properties["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!["type"]!);

        var alwaysReady = Assert.Single(properties["functionAppConfig"]!["scaleAndConcurrency"]!["alwaysReady"]!.AsArray())!;
        Assert.Equal("http", (string)alwaysReady["name"]!);
        var main = (await BicepCli.MainTemplate)["parameters"]!["alwaysReadyInstances"]!;
        Assert.True((int)main["minValue"]! >= 1 && (int)main["defaultValue"]! >= 1, "at least one always-ready instance runs the hosted processor");

        Assert.All((await Resources()).Where(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            p => Assert.False((bool)p.Properties!["allow"]!));
        Assert.Equal(2, (await Resources()).Count(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"));
    }

    [Fact]
    public async Task Template_NeverReadsKeysOrConnectionStrings()
    {
        var json = (await BicepCli.MainTemplate).ToJsonString();

        foreach (var forbidden in new[] { "listKeys", "listConnectionStrings", "listAccountSas", "listServiceSas", "AccountKey=", "SharedAccessKey", "SharedAccessSignature", "authorizationRules" })
        {
            Assert.DoesNotContain(forbidden, json, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AppSettings_CarryNoConnectionStringsOrKeys_OnlyUrisAndIdentity()
    {
        var settings = await AppSettings();

        // The one "connection string" is Application Insights' address: its ingestion is Entra-only (local auth off).
        Assert.All(settings.Where(s => s.Key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)),
            s => Assert.Equal(InsightsTelemetry.ConnectionStringSetting, s.Key));
        Assert.DoesNotContain(settings, s => s.Key.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) || s.Key.Contains("Sas", StringComparison.Ordinal));
        var byKey = settings.ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal("managedidentity", byKey["AzureWebJobsStorage__credential"].AsString);
        Assert.DoesNotContain("AzureWebJobsStorage", byKey.Keys);
        Assert.Equal("parameters('identityClientId')", byKey["AZURE_CLIENT_ID"].Text);
        Assert.Equal("true", byKey["Insights__Ingest__ValidateSignature"].AsString);
        Assert.DoesNotContain("Insights__Storage__ConnectionString", byKey.Keys);
        Assert.DoesNotContain("Insights__EventHubs__ConnectionString", byKey.Keys);
        Assert.Contains("Insights__Storage__TableServiceUri", byKey.Keys);
        Assert.Contains("Insights__EventHubs__FullyQualifiedNamespace", byKey.Keys);
    }

    [Fact]
    public async Task AppSettings_TakeEveryTokenSecretAndKey_FromKeyVaultReferences()
    {
        var settings = await AppSettings();

        var secrets = settings.Where(s => new[] { "__AuthToken", "__ApiKeySecret", "__RtaSecret", "__WallboardKey", "__AdminKey" }.Any(e => s.Key.EndsWith(e, StringComparison.Ordinal))).ToList();
        Assert.Equal(5, secrets.Count);
        Assert.All(secrets, s =>
        {
            var format = Assert.IsType<ArmExpression.Call>(s.Value);
            Assert.Equal("format", format.Name);
            Assert.StartsWith("@Microsoft.KeyVault(VaultName={0};SecretName=", format.Arguments[0].AsString);
            Assert.Equal("parameters('keyVaultName')", format.Arguments[1].Text);
        });
        Assert.Contains(settings, s => s.Key == "Insights__Accounts__{0}__AuthToken");
        Assert.Contains(settings, s => s.Key == "Insights__Accounts__{0}__Hipaa");
        Assert.Contains(settings, s => s.Key == "Insights__Accounts__{0}__ApiKeySecret");
        Assert.Contains(settings, s => s.Key == "Insights__Accounts__{0}__RtaSecret");
        Assert.Contains(settings, s => s.Key == "Insights__Accounts__{0}__WallboardKey");
        Assert.Contains(settings, s => s.Key == "Insights__Realtime__AdminKey");
        // The one shared RTA secret opened every account's records: no longer deployed (and ignored by the app, with an error, if set).
        Assert.DoesNotContain(settings, s => s.Key.StartsWith("Insights__Rta__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppSettings_InsightsKeys_AreSettingsTheAppBinds()
    {
        var keys = (await AppSettings()).Select(s => s.Key).Where(k => k.StartsWith(InsightsOptions.SectionName + "__", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            // Walk the options model: each segment a property (dictionary keys, such as an AccountSid, pass through).
            var type = typeof(InsightsOptions);
            foreach (var segment in key.Split("__").Skip(1))
            {
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                {
                    type = type.GetGenericArguments()[1];
                    continue;
                }
                var property = type.GetProperty(segment);
                Assert.True(property is not null, $"{key}: {type.Name} has no {segment}");
                type = property.PropertyType;
            }
        });
    }

    [Fact]
    public async Task AppSettings_CarryEverySettingATimerScheduleNames()
    {
        var keys = (await AppSettings()).Select(s => s.Key).ToHashSet();

        var named = typeof(InsightsOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.TimerTriggerAttribute), false).Cast<Microsoft.Azure.Functions.Worker.TimerTriggerAttribute>().SingleOrDefault())
            .OfType<Microsoft.Azure.Functions.Worker.TimerTriggerAttribute>()
            .Where(t => t.Schedule.StartsWith('%'))
            .Select(t => t.Schedule.Trim('%').Replace(":", "__", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(named);
        Assert.All(named, key => Assert.Contains(key, keys));
        // ... and the local settings sample, which a Functions host run locally starts from.
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Support.RepositoryFiles.Path("local.settings.sample.json")))!["Values"]!.AsObject();
        Assert.All(named, key => Assert.True(sample.ContainsKey(key), $"local.settings.sample.json lacks {key}"));
    }

    [Fact]
    public async Task RoleAssignments_GrantTheAppIdentityTheDataRolesItNeeds()
    {
        var assignments = (await Resources()).Where(r => r.Type == "Microsoft.Authorization/roleAssignments").ToList();
        var toApp = assignments.Where(a => (string)a.Properties!["principalId"]! == "[parameters('appPrincipalId')]")
            .Select(a => ArmExpression.Parse((string)a.Properties!["roleDefinitionId"]!))
            .Select(e => e.Descendants().OfType<ArmExpression.Access>().Single().Member.AsString!)
            .ToHashSet();

        Assert.Equal(["eventHubsDataReceiver", "eventHubsDataSender", "keyVaultSecretsUser", "monitoringMetricsPublisher", "storageBlobDataOwner", "storageTableDataContributor"], toApp.Order(StringComparer.Ordinal));
        // The built-in role definition ids (Azure's, the same in every tenant).
        var roles = ArmResource.ModuleTemplate(await BicepCli.MainTemplate, "rbac")["variables"]!["roles"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
        Assert.Equal("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", roles["storageBlobDataOwner"]);
        Assert.Equal("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", roles["storageTableDataContributor"]);
        Assert.Equal("2b629674-e913-4c01-ae53-ef4638d8f975", roles["eventHubsDataSender"]);
        Assert.Equal("a638d3c7-ab3a-418d-83e6-5f17a39d4fde", roles["eventHubsDataReceiver"]);
        Assert.Equal("4633458b-17de-408a-b874-0445c86b69e6", roles["keyVaultSecretsUser"]);
        Assert.Equal("3913510d-42f4-4e42-8a64-420c390055eb", roles["monitoringMetricsPublisher"]);
        Assert.All(assignments.Where(a => (string)a.Properties!["principalId"]! == "[parameters('appPrincipalId')]"),
            a => Assert.Equal("ServicePrincipal", (string)a.Properties!["principalType"]!));
        // ... and the principal is the user-assigned identity the app runs as.
        Assert.Contains("identity", ArmResource.ModuleParameters(await BicepCli.MainTemplate, "rbac")["appPrincipalId"]!.ToJsonString());
        Assert.Contains("principalId", ArmResource.ModuleParameters(await BicepCli.MainTemplate, "rbac")["appPrincipalId"]!.ToJsonString());
    }

    [Fact]
    public async Task Outputs_AreTheCallbackAndFeedUrls_OfTheAppsRoutes()
    {
        var outputs = (await BicepCli.MainTemplate)["outputs"]!;

        Assert.Equal("{0}" + HttpRoutes.TaskRouterEvents, UrlFormat("TASKROUTER_CALLBACK_URL"));
        Assert.Equal("{0}" + HttpRoutes.RtaEvents, UrlFormat("RTA_FEED_URL"));
        Assert.Equal("{0}" + HttpRoutes.Wallboard, UrlFormat("WALLBOARD_URL"));
        // No output carries a key: the RTA URL's ?code= is added by the operator (docs/deploy.md).
        Assert.All(outputs.AsObject(), o => Assert.DoesNotContain("code=", o.Value!["value"]!.ToJsonString(), StringComparison.Ordinal));

        // format('{0}/api/...', <the app's base URL>)
        string UrlFormat(string output)
        {
            var format = Assert.IsType<ArmExpression.Call>(ArmExpression.Parse((string)outputs[output]!["value"]!));
            Assert.Equal("format", format.Name);
            Assert.Contains("baseUrl", format.Arguments[1].Text, StringComparison.Ordinal);
            return format.Arguments[0].AsString!;
        }
    }
}
