// Event Hubs: one hub of HIPAA-filtered envelopes, partitioned by conversation, and one consumer group per
// logical consumer. Local (SAS) authentication is disabled: senders and receivers are Entra identities.
param namespaceName string
param location string
param tags object

@description('The hub the ingest functions publish to.')
param hubName string

@description('Partitions of the hub. Standard cannot change them later: size for the peak, 1 MB/s ingress per throughput unit.')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Throughput units of the Standard namespace (auto-inflate raises them up to the maximum).')
@minValue(1)
@maxValue(40)
param capacity int

@minValue(1)
@maxValue(40)
param maximumThroughputUnits int

@description('One consumer group per logical consumer of the hub.')
param consumerGroups array

@description('Log Analytics workspace for the namespace diagnostics.')
param logAnalyticsId string

@description('Disabled with private networking: only the private endpoint reaches the namespace.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: capacity
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    isAutoInflateEnabled: maximumThroughputUnits > capacity
    maximumThroughputUnits: maximumThroughputUnits > capacity ? maximumThroughputUnits : 0
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: 7
  }
}

resource groups 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [
  for group in consumerGroups: {
    parent: hub
    name: group
  }
]

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output namespaceName string = namespace.name
// The host of the namespace's endpoint (https://{name}.servicebus.windows.net:443/ in the public cloud).
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output hubName string = hub.name
