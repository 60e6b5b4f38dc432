#!/usr/bin/env bash
# One 15-minute load late in a simulated day, issue 20 (docs/benchmarks.md): for each "agents:hours" given, a private
# in-memory Azurite on ports 21000-21002 (the shared one on 10000-10002 and the refresh benchmark's on 20000-20002 are
# untouched), then two processes (Benchmarks/LoadWindowDay.cs): "setup" writes yesterday and today up to 15 minutes
# before the end into the tables and loads every window up to then, then the last 15 minutes; "measure" runs ONE load
# and prints its CPU, wall, Table requests and entities, memory, files and phases. The measured process runs with the
# Function app's GC setting (DOTNET_GCgen0size, infra/app/functionapp.bicep).
#   scripts/load-window-bench.sh [agents:hours ...]     default: 1000:9
# To measure one setup many times (profiling, trying a change), keep its Azurite running and measure again and again
# (each such run stores nothing: no state, no interval rows, marks kept, so the next run sees the same tables):
#   scripts/load-window-bench.sh --keep 1000:9     setup only; Azurite stays up on 21000-21002 (its pid in /tmp/load-window-azurite.pid)
#   scripts/load-window-bench.sh --again 1000:9    measure only, repeatable (MEASURE_PREFIX="perf record …" to profile;
#                                                  INSIGHTS_BENCH_WARM=1: after the same load once, unmeasured, in the process)
#   kill "$(cat /tmp/load-window-azurite.pid)"     when done
set -euo pipefail
mode=both
case "${1:-}" in
  --keep) mode=setup; shift ;;
  --again) mode=again; shift ;;
esac
pidfile=/tmp/load-window-azurite.pid
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly
export INSIGHTS_BENCH_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:21002/devstoreaccount1;BlobEndpoint=http://127.0.0.1:21000/devstoreaccount1;"
for spec in ${@:-1000:9}; do
  IFS=: read -r agents hours <<<"$spec"
  if [ "$mode" = again ]; then
    azurite=$(cat "$pidfile")
    INSIGHTS_BENCH_REPEATABLE=1 INSIGHTS_BENCH_WARM=${INSIGHTS_BENCH_WARM:-} INSIGHTS_BENCH_AZURITE_PID=$azurite DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}" \
      ${MEASURE_PREFIX:-} /usr/bin/time -f "measure process: %e s wall, %U+%S s CPU, max RSS %M KB" dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll load-window "$agents" "$hours" measure
    continue
  fi
  node_modules/.bin/azurite --silent --inMemoryPersistence --skipApiVersionCheck --loose --blobHost 127.0.0.1 --queueHost 127.0.0.1 \
    --tableHost 127.0.0.1 --blobPort 21000 --queuePort 21001 --tablePort 21002 >/dev/null 2>&1 &
  azurite=$!
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/21002) 2>/dev/null && break; sleep 0.2; done
  echo "== $agents agents × $hours h"
  if [ "$mode" = setup ]; then
    echo "$azurite" >"$pidfile"
    dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll load-window "$agents" "$hours" setup
    continue
  fi
  if /usr/bin/time -f "setup: %e s wall, %U+%S s CPU, max RSS %M KB" dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll load-window "$agents" "$hours" setup; then
    INSIGHTS_BENCH_AZURITE_PID=$azurite DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}" \
      /usr/bin/time -f "measure process: %e s wall, %U+%S s CPU, max RSS %M KB" dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll load-window "$agents" "$hours" measure || true
    echo "Azurite RSS after: $(ps -o rss= -p "$azurite") KB"
  fi
  kill "$azurite" 2>/dev/null; wait "$azurite" 2>/dev/null || true
done
