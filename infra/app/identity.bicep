// The user-assigned managed identity the function app runs as: every data-plane access (Storage, Event Hubs,
// Key Vault references, Application Insights ingestion) is granted to it by rbac.bicep. No keys anywhere.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
