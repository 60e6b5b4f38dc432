#!/usr/bin/env bash
# Freshness and cost per event through `insights serve` (docs/benchmarks.md, issue 20), for this build and, with
# --baseline, another built insights.dll in the same run, scenario by scenario (baseline then new, so both meet the
# same Azurite as it fills):
#   (a) steady: `insights simulate --rate 200` of a 1,000-agent center, about 90 s;
#   (b) burst: `insights simulate --rate 4000`, about 24,000 events.
# Each run: a fresh local bus, a random fake account, `insights serve` on Azurite (scripts/azurite.sh; a running one is
# reused), the simulator, then wait until the bus's log is empty (every event stored) and SIGTERM the host.
# Prints per run: events sent, CPU µs per event of the serve process (utime+stime from /proc, from just before the first
# callback to the drained log, so start-up is left out for both builds), freshness p50/p99/max (ms, from the host's
# `--stats` file; a build without `--stats` prints n/a) and Table requests per event (the same file; else n/a).
#   scripts/freshness-load.sh [--baseline DLL] [--new DLL] [--steady-hours H] [--steady-rate R] [--burst-hours H] [--only steady|burst]
set -euo pipefail
cd "$(dirname "$0")/.."
new_dll="Cli/bin/Release/net10.0/insights.dll"
baseline_dll=""
steady_hours=0.27   # about 18,000 events at 200/s: 90 s
steady_rate=200
burst_hours=0.37    # about 24,000 events
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline_dll="$2"; shift 2 ;;
    --new) new_dll="$2"; shift 2 ;;
    --steady-hours) steady_hours="$2"; shift 2 ;;
    --steady-rate) steady_rate="$2"; shift 2 ;;
    --burst-hours) burst_hours="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
source scripts/azurite.sh
start_azurite
if [ "$new_dll" = "Cli/bin/Release/net10.0/insights.dll" ]; then
  dotnet build Cli/Cli.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
fi
for dll in "$new_dll" $baseline_dll; do
  [ -f "$dll" ] || { echo "no such build: $dll" >&2; exit 2; }
done
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x10000000}"
export Insights__Loads__Enabled=false Insights__Reconcile__Enabled=false
work="$(mktemp -d)"
port=7181
serve_pid=""
# SIGTERM (a background job ignores SIGINT): the host stops cleanly and writes its --stats file.
stop_serve() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  serve_pid=""
}
trap 'stop_serve; rm -rf "$work"; stop_azurite' EXIT
trap 'exit 130' INT TERM

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
backlog() {
  python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute('select count(*) from events').fetchone()[0])" \
    "$1/events.db" 2>/dev/null || echo "?"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2], {}, {'d': d}); print('n/a' if v is None else v)" "$1" "$2"; }

# run LABEL DLL RATE HOURS: one scenario on one build; prints one result line.
run() {
  local label="$1" dll="$2" rate="$3" hours="$4"
  local dir="$work/$label" account token stats_arg=() stats=""
  mkdir -p "$dir"
  account="AC$(hex 16)"
  token="$(hex 16)"
  if dotnet "$dll" serve --help 2>/dev/null | grep -q -- "--stats"; then
    stats="$dir/stats.json"
    stats_arg=(--stats "$stats")
  fi
  env "Insights__Accounts__${account}__AuthToken=$token" Insights__LocalBus__Path="$dir/bus" Insights__Ingest__PublicBaseUrl="http://127.0.0.1:$port" \
    dotnet "$dll" serve --urls "http://127.0.0.1:$port" "${stats_arg[@]}" > "$dir/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "$label: insights serve did not start:" >&2; tail -5 "$dir/serve.log" >&2; serve_pid=""; return 1
  fi
  local before after sent started drained
  before=$(cpu_ticks "$serve_pid")
  started=$(date +%s.%N)
  env "Insights__Accounts__${account}__AuthToken=$token" dotnet "$new_dll" simulate --agents 1000 --queues 8 --hours "$hours" --rate "$rate" --seed 20 \
    --target "http://127.0.0.1:$port/api/taskrouter/events" --account "$account" > "$dir/simulate.log" 2>&1
  sent=$(sed -n 's/.*Sent \([0-9]*\) events in \([0-9.]*\) s.*/\1/p' "$dir/simulate.log")
  local limit=$(( $(date +%s) + ${DRAIN_LIMIT:-600} ))
  while [ "$(backlog "$dir/bus")" != "0" ] && [ "$(date +%s)" -lt "$limit" ]; do sleep 0.5; done
  drained=$(python3 -c "import time; print(f'{time.time() - $started:.0f}')")
  after=$(cpu_ticks "$serve_pid")
  stop_serve
  local cpu_us=$(( (after - before) * 1000000 / $(getconf CLK_TCK) ))
  local p50="n/a" p99="n/a" max="n/a" tables="n/a"
  if [ -n "$stats" ] && [ -f "$stats" ]; then
    p50=$(json "$stats" "d['freshness_ms']['p50']")
    p99=$(json "$stats" "d['freshness_ms']['p99']")
    max=$(json "$stats" "d['freshness_ms']['max']")
    tables=$(json "$stats" "round(d['table_requests'] / max(1, d['events_consumed']), 3)")
  fi
  printf '%-16s sent %6s  send+drain %4s s  CPU %5s µs/event  freshness p50 %6s ms  p99 %6s ms  max %6s ms  Table requests/event %s\n' \
    "$label" "${sent:-?}" "$drained" "$(( cpu_us / ${sent:-1} ))" "$p50" "$p99" "$max" "$tables"
  grep -E "fail|Exception" "$dir/serve.log" | sort | uniq -c | sort -rn | head -3 || true
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
for scenario in steady burst; do
  [ -n "$only" ] && [ "$only" != "$scenario" ] && continue
  if [ "$scenario" = steady ]; then rate="$steady_rate"; hours="$steady_hours"; else rate=4000; hours="$burst_hours"; fi
  [ -n "$baseline_dll" ] && run "baseline-$scenario" "$baseline_dll" "$rate" "$hours"
  run "new-$scenario" "$new_dll" "$rate" "$hours"
done
