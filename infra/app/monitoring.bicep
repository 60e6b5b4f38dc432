// Log Analytics + workspace-based Application Insights. Local (instrumentation-key) ingestion is disabled:
// only Entra-authenticated telemetry (the app's managed identity, Monitoring Metrics Publisher) is accepted,
// so the connection string in the app settings is an address, not a credential.
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Daily ingestion cap of the workspace, in GB: a flood of requests (or a logging mistake) stops costing at the cap instead of growing the bill without bound. Ingestion resumes the next day; Azure Monitor raises its own alert when the cap is reached.')
@minValue(1)
param dailyCapGb int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyCapGb
    }
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
    RetentionInDays: retentionInDays
  }
}

output logAnalyticsId string = logAnalytics.id
output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
