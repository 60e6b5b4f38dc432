// InsightsFunctions in one resource group: `azd up`, or `az deployment sub create -f infra/main.bicep`.
// One module per concern under app/; names from abbreviations.json plus a resource token.
targetScope = 'subscription'

import { twilioAccount } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('Environment name (azd: AZURE_ENV_NAME), e.g. insights-prod. Part of the resource group name and the token.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@description('The deploying user or pipeline principal (azd: AZURE_PRINCIPAL_ID), granted Key Vault Secrets Officer to store the auth tokens. Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('The Twilio accounts this deployment accepts; each one\'s auth token goes into Key Vault as twilio-auth-token-{AccountSid}.')
param twilioAccounts twilioAccount[] = []

@description('IANA time zone of the reporting dates and 15-minute intervals.')
param reportingTimeZone string = 'UTC'

@description('Public scheme://host Twilio calls, when a custom domain or gateway fronts the app; empty: the app\'s default host name.')
param publicBaseUrl string = ''

@minValue(1)
@maxValue(32)
@description('Event Hubs partitions (Standard: fixed after creation). 8 carries a 1,000-agent center with room to spare.')
param eventHubPartitionCount int = 8

@minValue(1)
@maxValue(40)
param eventHubThroughputUnits int = 1

@minValue(1)
@maxValue(40)
@description('Auto-inflate ceiling of the Event Hubs throughput units (equal to the units: auto-inflate off).')
param eventHubMaximumThroughputUnits int = 4

@minValue(1)
@description('Always-ready instances of the HTTP group: they also run the hosted Event Hubs processor and refreshers.')
param alwaysReadyInstances int = 1

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@minValue(1)
@description('Days a spooled event may wait before it is deleted (past the 7-day dedupe window it is dropped anyway).')
param spoolRetentionDays int = 14

@minValue(31)
param deadLetterRetentionDays int = 90

@minValue(30)
@maxValue(730)
param logRetentionDays int = 90

@minValue(1)
@description('Daily ingestion cap of Log Analytics (GB). Requests telemetry of a busy center is about 1 KB per callback, 0.5 GB for 500,000 callbacks a day: 5 leaves room for a bad day and stops an unbounded one.')
param logDailyCapGb int = 5

@description('Private networking: the app integrates with a VNet, storage and Event Hubs get private endpoints and refuse public network access (docs/deploy.md). Key Vault stays public (RBAC, audited) so operators can store the tokens.')
param vnetEnabled bool = false

@description('Address space of the VNet when vnetEnabled.')
param vnetAddressPrefix string = '10.40.0.0/16'

var abbreviations = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  workload: 'insights-functions'
}
var eventHubName = 'insights-events'
// One consumer group per logical consumer: the stitcher (the hosted processor of the function app).
var consumerGroups = [
  'stitcher'
]
var deploymentContainerName = 'app-package-${take('func-${resourceToken}', 32)}'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbreviations.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: '${abbreviations.managedIdentity}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: '${abbreviations.logAnalyticsWorkspace}${resourceToken}'
    applicationInsightsName: '${abbreviations.applicationInsights}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    dailyCapGb: logDailyCapGb
  }
}

module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: resourceGroup
  params: {
    name: '${abbreviations.virtualNetwork}${resourceToken}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: '${abbreviations.storageAccount}${resourceToken}'
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    spoolRetentionDays: spoolRetentionDays
    deadLetterRetentionDays: deadLetterRetentionDays
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
  }
}

module eventHubs 'app/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: resourceGroup
  params: {
    namespaceName: '${abbreviations.eventHubsNamespace}${resourceToken}'
    location: location
    tags: tags
    hubName: eventHubName
    partitionCount: eventHubPartitionCount
    capacity: eventHubThroughputUnits
    maximumThroughputUnits: eventHubMaximumThroughputUnits
    consumerGroups: consumerGroups
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
  }
}

module privateEndpoints 'app/privateendpoints.bicep' = if (vnetEnabled) {
  name: 'privateendpoints'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    vnetId: network!.outputs.id
    subnetId: network!.outputs.privateEndpointSubnetId
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: resourceGroup
  params: {
    name: '${abbreviations.keyVault}${resourceToken}'
    location: location
    tags: tags
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: resourceGroup
  params: {
    appPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    eventHubName: eventHubs.outputs.hubName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module functionApp 'app/functionapp.bicep' = {
  name: 'functionapp'
  scope: resourceGroup
  params: {
    planName: '${abbreviations.appServicePlan}${resourceToken}'
    appName: '${abbreviations.functionApp}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    consumerGroup: consumerGroups[0]
    keyVaultName: keyVault.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    twilioAccounts: twilioAccounts
    reportingTimeZone: reportingTimeZone
    publicBaseUrl: publicBaseUrl
    alwaysReadyInstances: alwaysReadyInstances
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
  }
  // The app starts resolving its storage, hub and Key Vault references as soon as it exists: grant first (and,
  // with private networking, let the private endpoints exist first).
  dependsOn: [
    rbac
    privateEndpoints
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_EVENT_HUBS_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
@description('Set as the Event Callback URL of each TaskRouter workspace.')
output TASKROUTER_CALLBACK_URL string = '${functionApp.outputs.baseUrl}/api/taskrouter/events'
@description('Register as each account\'s WFM RTA feed URL, with ?code={that account\'s rta-secret-{AccountSid}} appended (never output here).')
output RTA_FEED_URL string = '${functionApp.outputs.baseUrl}/api/rta/events'
@description('Open with ?account={AccountSid}&code={wallboard-key-{AccountSid}} (or the realtime-admin-key; never output here).')
output WALLBOARD_URL string = '${functionApp.outputs.baseUrl}/api/wallboard'
