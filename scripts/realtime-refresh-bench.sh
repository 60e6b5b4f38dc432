#!/usr/bin/env bash
# The real-time refresh late in a day, before and after issue 20 (docs/benchmarks.md): for each "agents:hours" given,
# a private in-memory Azurite on ports 20000-20002 (so the shared one on 10000-10002 is untouched), a simulated day
# written as the consumer leaves it, then one refresh measured both ways (Benchmarks/RealtimeRefreshDay.cs).
#   scripts/realtime-refresh-bench.sh [agents:hours[:skip-full] ...]     default: 1000:1 1000:3 1000:9 10000:0.5:skip-full
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly
export INSIGHTS_BENCH_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:20002/devstoreaccount1;BlobEndpoint=http://127.0.0.1:20000/devstoreaccount1;"
for run in "${@:-1000:1 1000:3 1000:9 10000:0.5:skip-full}"; do
  for spec in $run; do
    IFS=: read -r agents hours skip <<<"$spec"
    node_modules/.bin/azurite --silent --inMemoryPersistence --skipApiVersionCheck --loose --blobHost 127.0.0.1 --queueHost 127.0.0.1 \
      --tableHost 127.0.0.1 --blobPort 20000 --queuePort 20001 --tablePort 20002 >/dev/null 2>&1 &
    azurite=$!
    for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/20002) 2>/dev/null && break; sleep 0.2; done
    dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll refresh "$agents" "$hours" ${skip:+skip-full} || true
    kill "$azurite" 2>/dev/null; wait "$azurite" 2>/dev/null || true
  done
done
