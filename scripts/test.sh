#!/usr/bin/env bash
# The whole test suite: unit tests, HTTP pipeline tests and integration tests against Azurite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
start_azurite
dotnet test InsightsFunctions.sln -c Release --nologo "$@"
