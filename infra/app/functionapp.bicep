// The function app on the Flex Consumption plan: .NET 10 isolated, HTTPS only, TLS 1.2+, running as the
// user-assigned identity. At least one always-ready instance keeps the hosted Event Hubs processor and the
// real-time refresher running between callbacks. App settings carry service URIs and Key Vault references
// only: no connection strings, account keys or SAS.
import { twilioAccount } from '../types.bicep'

param planName string
param appName string
param location string
param tags object

param identityId string
param identityClientId string

param deploymentContainerUrl string
param blobEndpoint string
param tableEndpoint string
param eventHubsFullyQualifiedNamespace string
param eventHubName string
param consumerGroup string
param keyVaultName string
param applicationInsightsConnectionString string
param logAnalyticsId string

param twilioAccounts twilioAccount[]
param reportingTimeZone string

@description('Public scheme://host Twilio calls (the signature URL); empty: the app\'s default host name.')
param publicBaseUrl string

@minValue(1)
param alwaysReadyInstances int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('The VNet subnet the app integrates with (private networking); empty: none.')
param appSubnetId string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(appSubnetId) ? null : appSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No FTP or basic-auth publishing: deployments authenticate with Entra ID.
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

var baseUrl = empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl

// Each account's auth token is a Key Vault reference (secret twilio-auth-token-{AccountSid}), resolved by the platform
// with the app's identity; the app never sees the vault, only the value. So is an account's optional API key secret
// (twilio-api-key-secret-{AccountSid}), which backfill and reconciliation use instead of the token; so are its RTA feed
// secret (rta-secret-{AccountSid}: the value of the RTA function's key rta-{AccountSid} too, set by
// scripts/azure-postdeploy.sh) and its wallboard read key (wallboard-key-{AccountSid}). A reference whose secret is not
// stored yet reaches the app as its literal text, which the app treats as unusable: that route is off for that account.
var accountSettings = reduce(twilioAccounts, {}, (settings, account) => union(settings, {
  'Insights__Accounts__${account.accountSid}__AuthToken': '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=twilio-auth-token-${account.accountSid})'
  'Insights__Accounts__${account.accountSid}__Hipaa': string(account.hipaa)
  'Insights__Accounts__${account.accountSid}__RtaSecret': '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=rta-secret-${account.accountSid})'
  'Insights__Accounts__${account.accountSid}__WallboardKey': '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=wallboard-key-${account.accountSid})'
}, toObject(range(0, length(account.?workspaces ?? [])), i => 'Insights__Accounts__${account.accountSid}__Workspaces__${i}', i => (account.?workspaces ?? [])[i]),
  empty(account.?apiKeySid ?? '') ? {} : {
    'Insights__Accounts__${account.accountSid}__ApiKeySid': account.?apiKeySid
    'Insights__Accounts__${account.accountSid}__ApiKeySecret': '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=twilio-api-key-secret-${account.accountSid})'
  }))

var settings = {
  // The Functions host's own storage, by identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  // Telemetry: an address; ingestion is authenticated with the identity (local auth is off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential in the app picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
  Insights__Storage__TableServiceUri: tableEndpoint
  Insights__Storage__BlobServiceUri: blobEndpoint
  // The bus is chosen, never fallen back to: without the Event Hubs settings the app refuses to start.
  Insights__Bus: 'EventHubs'
  Insights__EventHubs__FullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  Insights__EventHubs__HubName: eventHubName
  Insights__EventHubs__ConsumerGroup: consumerGroup
  Insights__Ingest__PublicBaseUrl: baseUrl
  Insights__Ingest__ValidateSignature: 'true'
  // The read key of every account's real-time JSON and wallboard, and of the all-accounts view.
  Insights__Realtime__AdminKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=realtime-admin-key)'
  Insights__ReportingTimeZone: reportingTimeZone
  // The Load timer reads its schedule as %Insights:Loads:Schedule%: the setting must exist.
  Insights__Loads__Schedule: '0 */15 * * * *'
  // The Reconcile timer reads %Insights:Reconcile:Schedule% (hourly, minute 7).
  Insights__Reconcile__Schedule: '0 7 * * * *'
  // The consumer's gen0 budget (256 MB): the stitcher's throughput doubles over the default (docs/benchmarks.md).
  DOTNET_GCgen0size: '0x10000000'
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(settings, accountSettings)
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: app
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output baseUrl string = baseUrl
