#!/usr/bin/env bash
# After a deployment (azd's postdeploy hook, or the pipeline's last step), with the Azure CLI signed in:
#   1. the per-account secrets of the real-time routes, for every account the app settings name: its RTA feed secret
#      (rta-secret-{AccountSid}) and its wallboard read key (wallboard-key-{AccountSid}) are created once in Key Vault
#      (random), and so is the admin read key (realtime-admin-key); then the RTA function's own key rta-{AccountSid}
#      is set to that account's RTA secret, read from Key Vault. A key of the RtaEvents function only: a host key would
#      also open every other Function-level route. The Functions host then admits the feed's ?code=, and the app binds
#      the same value to that account's records (http.md). The retired host key rta-feed is deleted;
#   2. the health check of the deployed app (GET /api/health until 200);
#   3. what is left to do on the Twilio side: the callback URLs, and each account's auth token (or API key secret)
#      that is not in Key Vault yet (neither ever passes through this script).
# No secret is ever printed or put on a command line (where any local user could read it from the process list): a
# value goes from openssl or from az's output into a shell variable or a 0600 temporary file, and az reads the file.
# Reads AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_KEY_VAULT_NAME, TASKROUTER_CALLBACK_URL and
# RTA_FEED_URL (the outputs of infra/main.bicep).
set -euo pipefail
umask 077
: "${AZURE_RESOURCE_GROUP:?}" "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_KEY_VAULT_NAME:?}" "${TASKROUTER_CALLBACK_URL:?}" "${RTA_FEED_URL:?}"
rg="$AZURE_RESOURCE_GROUP" app="$AZURE_FUNCTION_APP_NAME" vault="$AZURE_KEY_VAULT_NAME"
rta_function="RtaEvents"   # [Function("RtaEvents")] in Functions/Realtime/RtaEventsFunction.cs
admin_secret="realtime-admin-key"
health_attempts="${INSIGHTS_HEALTH_ATTEMPTS:-20}" health_delay="${INSIGHTS_HEALTH_DELAY_SECONDS:-15}"
base="${TASKROUTER_CALLBACK_URL%/api/taskrouter/events}"

secret_file="$(mktemp)"   # 0600 (mktemp, and umask 077): the only place a secret value is written to
trap 'rm -f "$secret_file"' EXIT

# The vault's secret names, listed once (the checks below need names only, never values).
known="$(az keyvault secret list --vault-name "$vault" --query "[].name" -o tsv)"
created=false

# Creates Key Vault secret $1 from 32 random bytes (hex) unless the vault has it. The value goes from openssl's output
# to the temporary file through a pipe and a redirection, and az reads it from there with --file.
ensure_secret() {
  if grep -qx "$1" <<< "$known"; then
    return 0
  fi
  openssl rand -hex 32 | tr -d '\n' > "$secret_file"
  az keyvault secret set --vault-name "$vault" --name "$1" --file "$secret_file" --output none
  : > "$secret_file"
  known="$known"$'\n'"$1"
  created=true
  echo "Created Key Vault secret $1 in $vault."
}

# Sets key $1 of the RTA function to the value of Key Vault secret $2, then reads it back to check it took. The value
# lives in a shell variable (az's output, captured) and in the temporary file that az rest sends as the body.
set_rta_function_key() {
  local value json stored
  value="$(az keyvault secret show --vault-name "$vault" --name "$2" --query value -o tsv)"
  # JSON string escaping by parameter expansion: no other process sees the value.
  json="${value//\\/\\\\}"
  json="${json//\"/\\\"}"
  printf '{"name":"%s","value":"%s"}' "$1" "$json" > "$secret_file"
  unset json
  az rest --method put --url "$site_id/functions/$rta_function/keys/$1?api-version=2024-04-01" --body "@$secret_file" --output none
  : > "$secret_file"
  stored="$(az functionapp function keys list --resource-group "$rg" --name "$app" --function-name "$rta_function" --query "\"$1\"" -o tsv)"
  if [ "$stored" != "$value" ]; then
    unset value stored
    echo "Key $1 of function $rta_function does not hold the value of Key Vault secret $2." >&2
    exit 1
  fi
  unset value stored
  echo "Function key $1 of $rta_function matches Key Vault secret $2."
}

site_id="$(az functionapp show --resource-group "$rg" --name "$app" --query id -o tsv)"
# The names of the app settings that hold Key Vault references: each account's auth token, API key secret, RTA secret
# and wallboard key, and the admin key.
settings="$(az functionapp config appsettings list --resource-group "$rg" --name "$app" \
  --query "[?ends_with(name, '__AuthToken') || ends_with(name, '__ApiKeySecret') || ends_with(name, '__RtaSecret') || ends_with(name, '__WallboardKey') || name == 'Insights__Realtime__AdminKey'].name" -o tsv)"

rta_accounts=()
missing=0
for setting in $settings; do
  sid="${setting#Insights__Accounts__}"
  sid="${sid%__*}"
  case "$setting" in
    Insights__Realtime__AdminKey) ensure_secret "$admin_secret" ;;
    *__RtaSecret) ensure_secret "rta-secret-$sid"; rta_accounts+=("$sid") ;;
    *__WallboardKey) ensure_secret "wallboard-key-$sid" ;;
    *__AuthToken | *__ApiKeySecret)
      case "$setting" in
        *__AuthToken) reference="twilio-auth-token-$sid" what="Auth token" ;;
        *) reference="twilio-api-key-secret-$sid" what="API key secret" ;;
      esac
      if ! grep -qx "$reference" <<< "$known"; then
        missing=$((missing + 1))
        echo "$what of $sid is not in Key Vault yet:"
        echo "  az keyvault secret set --vault-name $vault --name $reference --file <(printf %s \"\$VALUE\")"
      fi
      ;;
  esac
done

for sid in "${rta_accounts[@]}"; do
  set_rta_function_key "rta-$sid" "rta-secret-$sid"
done
# The host key of the old shared secret opened every Function-level route for every account: gone.
az functionapp keys delete --resource-group "$rg" --name "$app" --key-type functionKeys --key-name rta-feed --output none 2> /dev/null || true

if [ "$created" = true ]; then
  # Key Vault references are resolved at start: restart so the new secrets' settings resolve.
  az functionapp restart --resource-group "$rg" --name "$app" --output none
fi

healthy=false
for _ in $(seq 1 "$health_attempts"); do
  if curl -fsS --max-time 10 "$base/api/health" > /dev/null 2>&1; then
    healthy=true
    break
  fi
  sleep "$health_delay"
done
if [ "$healthy" != true ]; then
  echo "The app did not answer 200 on $base/api/health (storage, Event Hubs or its identity's roles)." >&2
  exit 1
fi
echo "Health: $base/api/health answers 200."

if [ "$missing" -gt 0 ]; then
  echo "Then restart the app (az functionapp restart -g $rg -n $app) so the references resolve."
fi

cat <<NEXT

Twilio side (docs/deploy.md):
  TaskRouter workspace Event Callback URL: $TASKROUTER_CALLBACK_URL
NEXT
for sid in "${rta_accounts[@]}"; do
  echo "  WFM RTA feed URL of $sid: $RTA_FEED_URL?code=<value of Key Vault secret rta-secret-$sid in $vault>"
done
cat <<NEXT
Wallboard (docs/realtime.md): $base/api/wallboard?account=<AccountSid>&code=<value of wallboard-key-<AccountSid>, or of $admin_secret>
NEXT
