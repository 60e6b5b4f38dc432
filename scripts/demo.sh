#!/usr/bin/env bash
# The main job, locally: Azurite + the local host + a simulated contact-center day, ending in datasets
# and a printed report. Extra arguments go to `insights demo` (e.g. --agents 50 --hours 4 --seed 7).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
start_azurite
dotnet build Cli/Cli.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet Cli/bin/Release/net10.0/insights.dll demo "$@"
