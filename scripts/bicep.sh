#!/usr/bin/env bash
# Builds and lints every Bicep file under infra/ with the bicep binary of the NuGet package
# Azure.Bicep.CommandLine.linux-x64 (offline; the same binary the test suite runs). Fails on any
# warning or error. Compiled templates go to artifacts/infra/ (or the directory given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/infra}"
dotnet restore Functions.Tests/Functions.Tests.csproj --nologo -v quiet > /dev/null
bicep="$(dotnet msbuild Functions.Tests/Functions.Tests.csproj -getProperty:BicepPath)"
[ -x "$bicep" ] || chmod u+x "$bicep"
export BICEP_TELEMETRY_ENABLED=false
out="$(mkdir -p "$out" && cd "$out" && pwd)"
diagnostics="$(mktemp)"
trap 'rm -f "$diagnostics"' EXIT
(cd infra && "$bicep" build --pattern '**/*.bicep' --outdir "$out") 2>> "$diagnostics"
(cd infra && "$bicep" lint --pattern '**/*.bicep') 2>> "$diagnostics"
# The parameters file reads the environment; lint it with placeholders where nothing is set.
(cd infra && AZURE_ENV_NAME="${AZURE_ENV_NAME:-lint}" AZURE_LOCATION="${AZURE_LOCATION:-eastus2}" "$bicep" lint main.bicepparam) 2>> "$diagnostics"
if grep -E ' : (Warning|Error) ' "$diagnostics"; then
  echo "bicep reported the diagnostics above" >&2
  exit 1
fi
echo "infra: $(find infra -name '*.bicep' | wc -l) Bicep files built and linted clean; templates in $out/"
