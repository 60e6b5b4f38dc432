#!/usr/bin/env bash
# The whole test suite: unit tests, HTTP pipeline tests and integration tests against Azurite.
# Installs Azurite from package.json when missing, starts it on loopback and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
start_azurite
log="$(mktemp)"
status=0
dotnet test InsightsFunctions.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?
# One plain closing line over all test assemblies: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
