#!/usr/bin/env bash
# The main job, locally: Azurite + the local host + a simulated contact-center day, ending in datasets
# and a printed report. Extra arguments go to `insights demo` (e.g. --agents 50 --hours 4 --seed 7).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
start_azurite
dotnet build Cli/Cli.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
# The consumer's gen0 budget (256 MB): read only from the environment; see docs/architecture.md.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}"
dotnet Cli/bin/Release/net10.0/insights.dll demo "$@"
