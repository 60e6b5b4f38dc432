// Parameters of main.bicep from the environment: azd sets AZURE_ENV_NAME, AZURE_LOCATION and AZURE_PRINCIPAL_ID;
// the pipeline sets the same names from its variables. INSIGHTS_TWILIO_ACCOUNTS is JSON, e.g.
//   [{"accountSid":"AC0123...","hipaa":true,"workspaces":["WS0123..."]}]
// (workspaces: what the hourly reconciliation reads back from the TaskRouter Events API; optional;
//  apiKeySid: an SK… key for those reads, its secret in Key Vault as twilio-api-key-secret-{AccountSid}; optional)
// (AccountSids are not secret; the auth tokens go into Key Vault, never here).
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
param twilioAccounts = json(readEnvironmentVariable('INSIGHTS_TWILIO_ACCOUNTS', '[]'))
param reportingTimeZone = readEnvironmentVariable('INSIGHTS_REPORTING_TIME_ZONE', 'UTC')
param vnetEnabled = bool(readEnvironmentVariable('INSIGHTS_VNET_ENABLED', 'false'))
param logDailyCapGb = int(readEnvironmentVariable('INSIGHTS_LOG_DAILY_CAP_GB', '5'))
