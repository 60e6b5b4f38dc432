#!/usr/bin/env bash
# Behaviour-unchanged check for refactors: runs the demo (fixed day and seed) on REV and on the working tree, each on
# a private in-memory Azurite (ports 10010-10012, so a running test Azurite is untouched), downloads the exports
# container of each, and diffs them: first byte for byte, then with the wall-clock values masked (normalise-exports.cs).
# Usage: scripts/compare-exports.sh [REV (default: HEAD)]   Exit 0 when the masked exports are identical.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/azurite.sh
ensure_azurite_installed
rev="${1:-HEAD}"
work="$(mktemp -d /tmp/insights-compare.XXXXXX)"
port_base=10010
cs="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${port_base}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((port_base + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((port_base + 2))/devstoreaccount1;"

snapshot() { # REPO OUT
  "$AZURITE_BIN" --silent --inMemoryPersistence --skipApiVersionCheck --loose --blobHost 127.0.0.1 --blobPort "$port_base" \
    --queueHost 127.0.0.1 --queuePort $((port_base + 1)) --tableHost 127.0.0.1 --tablePort $((port_base + 2)) >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do port_open $((port_base + 2)) && break; sleep 0.2; done
  dotnet build "$1/Cli/Cli.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly
  (cd "$1" && Insights__Storage__ConnectionString="$cs" DOTNET_GCgen0size=0x10000000 \
    dotnet Cli/bin/Release/net10.0/insights.dll demo --agents 20 --queues 3 --hours 2 --seed 7 --start 2026-12-01T08:00:00Z) > "$2.demo.txt" 2>&1 \
    || { kill "$pid"; echo "the demo of $1 failed: $2.demo.txt" >&2; return 1; }
  dotnet run --file scripts/exports-compare/dump-exports.cs -- "$cs" exports "$2"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

git worktree add --detach "$work/base" "$rev" >/dev/null
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true' EXIT
ln -s "$PWD/node_modules" "$work/base/node_modules"
snapshot "$work/base" "$work/before"
snapshot "$PWD" "$work/after"
echo "Byte for byte (the consumers' datasets carry the wall-clock updated_at, so they differ between any two runs):"
diff -rq "$work/before" "$work/after" || true
dotnet run --file scripts/exports-compare/normalise-exports.cs -- "$work/before" "$work/before.masked"
dotnet run --file scripts/exports-compare/normalise-exports.cs -- "$work/after" "$work/after.masked"
if diff -r "$work/before.masked" "$work/after.masked" > "$work/masked.diff"; then
  echo "Exports of $rev and of the working tree are identical once the wall-clock values are masked ($work)."
else
  echo "Exports differ beyond the wall clock: $work/masked.diff" >&2
  exit 1
fi
