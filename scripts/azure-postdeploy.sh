#!/usr/bin/env bash
# After a deployment (azd's postdeploy hook, or the pipeline's last step), with the Azure CLI signed in:
#   1. the RTA feed secret: created once in Key Vault (rta-shared-secret, random), and set as the host key
#      "rta-feed" of the function app, so the ?code= of the registered RTA URL passes both the Functions key
#      check and the app's own shared-secret check (http.md) with one value;
#   2. the health check of the deployed app (GET /api/health until 200);
#   3. what is left to do on the Twilio side: the callback URLs, and each account's auth token (or API key secret)
#      that is not in Key Vault yet (neither ever passes through this script).
# Reads AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_KEY_VAULT_NAME, TASKROUTER_CALLBACK_URL and
# RTA_FEED_URL (the outputs of infra/main.bicep). Never prints a secret.
set -euo pipefail
: "${AZURE_RESOURCE_GROUP:?}" "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_KEY_VAULT_NAME:?}" "${TASKROUTER_CALLBACK_URL:?}" "${RTA_FEED_URL:?}"
rg="$AZURE_RESOURCE_GROUP" app="$AZURE_FUNCTION_APP_NAME" vault="$AZURE_KEY_VAULT_NAME"
secret_name="rta-shared-secret"
health_attempts="${INSIGHTS_HEALTH_ATTEMPTS:-20}" health_delay="${INSIGHTS_HEALTH_DELAY_SECONDS:-15}"

# The vault's secret names, listed once (the checks below need names only, never values).
known="$(az keyvault secret list --vault-name "$vault" --query "[].name" -o tsv)"

created=false
if grep -qx "$secret_name" <<< "$known"; then
  secret="$(az keyvault secret show --vault-name "$vault" --name "$secret_name" --query value -o tsv)"
else
  secret="$(openssl rand -hex 32)"
  az keyvault secret set --vault-name "$vault" --name "$secret_name" --value "$secret" --output none
  created=true
  echo "Created Key Vault secret $secret_name in $vault."
fi
az functionapp keys set --resource-group "$rg" --name "$app" --key-type functionKeys --key-name rta-feed --key-value "$secret" --output none
unset secret
echo "Host key rta-feed of $app matches $secret_name."
if [ "$created" = true ]; then
  # Key Vault references are resolved at start: restart so Insights__Rta__SharedSecret picks up the new secret.
  az functionapp restart --resource-group "$rg" --name "$app" --output none
fi

base="${TASKROUTER_CALLBACK_URL%/api/taskrouter/events}"
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

missing=0
# Every Key Vault reference the app settings hold for an account: its auth token, and its API key secret if any.
for setting in $(az functionapp config appsettings list --resource-group "$rg" --name "$app" --query "[?ends_with(name, '__AuthToken') || ends_with(name, '__ApiKeySecret')].name" -o tsv); do
  sid="${setting#Insights__Accounts__}"
  sid="${sid%__*}"
  case "$setting" in
    *__AuthToken) reference="twilio-auth-token-$sid" what="Auth token" ;;
    *) reference="twilio-api-key-secret-$sid" what="API key secret" ;;
  esac
  if ! grep -qx "$reference" <<< "$known"; then
    missing=$((missing + 1))
    echo "$what of $sid is not in Key Vault yet:"
    echo "  az keyvault secret set --vault-name $vault --name $reference --file <(printf %s \"\$VALUE\")"
  fi
done
if [ "$missing" -gt 0 ]; then
  echo "Then restart the app (az functionapp restart -g $rg -n $app) so the references resolve."
fi

cat <<NEXT

Twilio side (docs/deploy.md):
  TaskRouter workspace Event Callback URL: $TASKROUTER_CALLBACK_URL
  WFM RTA feed URL: $RTA_FEED_URL?code=<value of Key Vault secret $secret_name in $vault>
NEXT
