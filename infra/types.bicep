// Parameter types shared by main.bicep and its modules.

@export()
@description('A Twilio account whose TaskRouter and RTA events this deployment accepts.')
type twilioAccount = {
  @description('The AccountSid (AC + 32 hex digits).')
  @minLength(34)
  @maxLength(34)
  accountSid: string

  @description('HIPAA mode (rules.md §1): only allow-listed attributes are kept. Leave true unless the account has no PHI.')
  hipaa: bool

  @description('Workspace sids (WS…) that the hourly reconciliation reads back from the TaskRouter Events API.')
  workspaces: string[]?

  @description('An API key (SK…) for the Events API (backfill, reconciliation) instead of the auth token; its secret goes into Key Vault as twilio-api-key-secret-{AccountSid}.')
  apiKeySid: string?
}
