#!/usr/bin/env bash
# CPU per event of `insights serve` end to end (docs/benchmarks.md, issue 20): HTTP, ingest, the local bus, the consumer
# and the Table client, at a steady rate. Measures the host process's CPU (utime + stime from /proc/PID/stat, not wall
# time, so other work on the machine moves it less), in four windows:
#   idle          the first IDLE seconds after start, no traffic;
#   steady        from WARM seconds after the first callback to the last one, divided by RATE × that time;
#   total         from the first callback until the backlog is stored, plus SETTLE seconds, divided by the callbacks;
#   idle after    30 s after that.
#   Benchmarks/host-cpu.sh LABEL [INSIGHTS_DIR] [HOURS] [refresh on|off]
# INSIGHTS_DIR: a built Cli output (default Cli/bin/Release/net10.0, built first). HOURS of a 1,000-agent, 8-queue day
# (default 0.3: about 20,000 callbacks, 100 s at 200/s). `off` sets Insights:Realtime:RefreshInterval to 10 days, so the
# QueueStatus refresher runs once at start and never again. Storage: Insights__Storage__ConnectionString when set (e.g.
# a private Azurite on other ports), else Azurite from scripts/azurite.sh. PERF=1 records a perf profile of the load
# (DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 name the JIT-compiled frames) into the run's folder.
set -uo pipefail
cd "$(dirname "$0")/.."
label="$1"; dir="${2:-Cli/bin/Release/net10.0}"; hours="${3:-0.3}"; refresh="${4:-on}"
rate="${RATE:-200}"; idle="${IDLE:-30}"; warm="${WARM:-60}"; settle="${SETTLE:-10}"; port="${PORT:-7279}"
simulator="${SIMULATOR:-$dir}"
if [ -z "${Insights__Storage__ConnectionString:-}" ]; then
  source scripts/azurite.sh
  start_azurite
  trap stop_azurite EXIT
fi
[ "$dir" = "Cli/bin/Release/net10.0" ] && dotnet build Cli/Cli.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
work="$(mktemp -d)"
account="AC$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export "Insights__Accounts__${account}__AuthToken=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export Insights__LocalBus__Path="$work/bus" Insights__Ingest__PublicBaseUrl="http://127.0.0.1:$port"
[ "$refresh" = off ] && export Insights__Realtime__RefreshInterval="10.00:00:00"
dotnet "$dir/insights.dll" serve --urls "http://127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
backlog() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute('select count(*) from events').fetchone()[0])" "$work/bus/events.db" 2>/dev/null || echo "?"; }
sleep 5
c0=$(cpu); sleep "$idle"; c1=$(cpu)
[ -n "${PERF:-}" ] && { perf record -e cpu-clock -F 999 -g -p "$pid" -o "$work/perf.data" > "$work/perf.log" 2>&1 & perf_pid=$!; }
t0=$(date +%s.%N); c2=$(cpu)
( sleep "$warm"; echo "$(cpu) $(date +%s.%N)" > "$work/warm.txt" ) &
dotnet "$simulator/insights.dll" simulate --agents 1000 --queues 8 --hours "$hours" --rate "$rate" --seed 7 --start 2026-12-01T08:00:00Z \
  --target "http://127.0.0.1:$port/api/taskrouter/events" --account "$account" > "$work/sim.log" 2>&1
t1=$(date +%s.%N); c3=$(cpu)
read -r cw tw < "$work/warm.txt"
for _ in $(seq 1 240); do [ "$(backlog)" = "0" ] && break; sleep 0.5; done
sleep "$settle"
c4=$(cpu)
[ -n "${PERF:-}" ] && { kill -INT "$perf_pid"; wait "$perf_pid"; cp "/tmp/perf-$pid.map" "$work/" 2>/dev/null; }
c5=$(cpu); sleep 30; c6=$(cpu)
sent=$(grep -oE "204: [0-9]+" "$work/sim.log" | cut -d" " -f2)
python3 - "$label" "$refresh" "$tck" "$rate" "$idle" "${sent:-0}" "$c0" "$c1" "$c2" "$c3" "$c4" "$c5" "$c6" "$cw" "$tw" "$t0" "$t1" <<'EOF'
import sys
label, refresh = sys.argv[1], sys.argv[2]
tck, rate, idle, sent, c0, c1, c2, c3, c4, c5, c6, cw, tw, t0, t1 = map(float, sys.argv[3:])
ms = lambda ticks: ticks * 1000 / tck
print(f"{label}: refresh={refresh} callbacks(204)={int(sent)} sent in {t1 - t0:.0f} s; "
      f"steady {ms(c3 - cw) * 1000 / (rate * (t1 - tw)):.0f} µs/event; total {ms(c4 - c2) * 1000 / max(sent, 1):.0f} µs/event; "
      f"idle {ms(c1 - c0) / idle:.1f} ms/s; idle after {ms(c6 - c5) / 30:.1f} ms/s")
EOF
echo "  $(tail -1 "$work/sim.log")  run folder: $work"
grep -cE "fail|Exception" "$work/serve.log" | sed 's/^/  errors in the log: /'
kill "$pid"; wait "$pid" 2>/dev/null
