#!/usr/bin/env bash
# The whole test suite: unit, HTTP pipeline, integration tests against Azurite, browser and infrastructure tests.
# Installs Azurite from package.json and Debian's chromium when missing, starts Azurite on loopback and stops it on exit.
# Screenshots of the wallboard test land in artifacts/.
#   scripts/test.sh --fast   only the unit tests (Category=Unit): no Azurite, no chromium, no bicep, no CLI process.
# Every other argument goes to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
if [ "$fast" -eq 1 ]; then
  # Each test class carries [Trait("Category", "Unit"|"Integration"|"Browser"|"Infra")] (TestCategoryTests checks it).
  args=(--filter "Category=Unit" "${args[@]}")
else
  source scripts/azurite.sh
  # The wallboard browser test drives Debian's Chromium through Playwright (never a downloaded browser).
  if [ ! -x /usr/bin/chromium ]; then
    echo "Installing Debian's chromium package for the wallboard browser test..."
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium) > /tmp/insights-chromium-install.log 2>&1 \
      || { echo "Could not install chromium (see /tmp/insights-chromium-install.log)" >&2; exit 1; }
  fi
  start_azurite
fi
log="$(mktemp)"
status=0
dotnet test InsightsFunctions.sln -c Release --nologo "${args[@]}" 2>&1 | tee "$log" || status=$?
# One plain closing line over all test assemblies: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
