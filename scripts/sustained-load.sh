#!/usr/bin/env bash
# Sustained load on the local host (docs/benchmarks.md): `insights serve` on Azurite with the durable local bus, and
# `insights simulate` sending a 1,000-agent day at a fixed rate (default 1,200 callbacks/s for about 5 minutes).
# Prints the simulator's response times (p50/p99/max, requests over 1 s), the local bus's backlog every 10 s
# (events committed but not stored yet), and how long the backlog took to drain after the last callback.
#   scripts/sustained-load.sh [RATE] [HOURS]     defaults: 1200 4.6 (about 361,000 callbacks)
set -euo pipefail
cd "$(dirname "$0")/.."
rate="${1:-1200}"
hours="${2:-4.6}"
source scripts/azurite.sh
start_azurite
dotnet build Cli/Cli.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}"

work="$(mktemp -d)"
account="AC$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export "Insights__Accounts__${account}__AuthToken=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export Insights__LocalBus__Path="$work/bus"
port=7179
# The host refuses to start outside Development without a public URL (signatures are checked against it).
export Insights__Ingest__PublicBaseUrl="http://127.0.0.1:$port"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
  stop_azurite
}
trap cleanup EXIT

backlog() {
  python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute('select count(*) from events').fetchone()[0])" \
    "$work/bus/events.db" 2>/dev/null || echo "?"
}

dotnet Cli/bin/Release/net10.0/insights.dll serve --urls "http://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 150); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done

(
  start=$(date +%s)
  while kill -0 "$serve_pid" 2>/dev/null; do
    echo "backlog t+$(( $(date +%s) - start ))s: $(backlog) events"
    sleep 10
  done
) &
sampler=$!

cpu_before=$(awk '{print $14+$15}' "/proc/$serve_pid/stat")
dotnet Cli/bin/Release/net10.0/insights.dll simulate --agents 1000 --queues 8 --hours "$hours" --rate "$rate" \
  --target "http://127.0.0.1:$port/api/taskrouter/events" --account "$account" 2>&1 | grep -v "Sending callbacks"
sent_at=$(date +%s)
left_at_end="$(backlog)"
# Drain limit (s): Azurite keeps tables in memory and scans them, so a whole day in it slows every query.
limit="${DRAIN_LIMIT:-1800}"
while [ "$(backlog)" != "0" ] && [ $(( $(date +%s) - sent_at )) -lt "$limit" ]; do sleep 1; done
drained=$(( $(date +%s) - sent_at ))
echo "Backlog when the last callback was answered: ${left_at_end} events; left after ${drained} s: $(backlog)."
cpu_after=$(awk '{print $14+$15}' "/proc/$serve_pid/stat")
kill "$sampler" 2>/dev/null || true
echo "Backlog drained ${drained} s after the last callback; insights serve used $(( (cpu_after - cpu_before) / $(getconf CLK_TCK) )) s of CPU."
grep -E "fail|Exception" "$work/serve.log" | sort | uniq -c | sort -rn | head -5 || true
