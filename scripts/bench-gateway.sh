#!/usr/bin/env bash
# make bench-gateway: the public gateway's benchmark, side by side with the seed's design
# (../shared/seedref) measured in the same run. Builds release, starts the whole system (no simulator)
# in a temporary data folder on ports of its own (BENCH_PORT_BASE, default 27100: clear of `make run`),
# and the seed's server with the test venv's uvicorn; then measures, alternating the two servers:
#   1. the cost of authentication: POST /api/sensor-data at c=64 with a device key against the same
#      requests without a key on the same gateway (started with GATEWAY_BENCHMARK_WITHOUT_AUTH, which
#      lets requests marked X-PM-Benchmark-Without-Auth skip the check: one process, the same
#      connections and threads), alternating in rounds, first of all; with the gateway's own CPU;
#   2. POST /api/sensor-data readings/s and p50/p99 at concurrency 1, 8, 64 (wrk), detection on;
#   3. GET /api/dashboard-stats requests/s (c=8);
#   4. POST /api/sensor-data/batch readings/s (ours; 1,000 JSON readings per request, c=4);
#   5. reading -> WebSocket alert latency under 10,000 readings/s of background load (ours).
# Prints a table of figures, ratios and targets, with the client's and servers' CPU.
# Knobs: BENCH_SECONDS (ours per point, 10), BENCH_SEED_SECONDS (8), BENCH_DASHBOARD_SECONDS (5),
# BENCH_WS_SAMPLES (40), BENCH_BACKGROUND_RATE (10000), BENCH_AUTH_ROUNDS (10), BENCH_AUTH_SECONDS (6),
# BENCH_AUTH_ONLY=1 (section 1 only), BENCH_PORT_BASE, BENCH_KEEP=1 keeps the data folder and logs,
# SEEDREF_DIR (default ../shared/seedref).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh wrk python3-plotly python3-flasgger
scripts/python-venv.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
py=$root/.venv-test/bin/python
tools=$root/Benchmarks/Gateway
seedref_dir=${SEEDREF_DIR:-$root/../shared/seedref}
[ -f "$seedref_dir/app.py" ] || { echo "error: the seed's reference server is not at $seedref_dir (set SEEDREF_DIR)" >&2; exit 1; }

secs=${BENCH_SECONDS:-10}
seed_secs=${BENCH_SEED_SECONDS:-8}
dash_secs=${BENCH_DASHBOARD_SECONDS:-5}
ws_samples=${BENCH_WS_SAMPLES:-40}
background_rate=${BENCH_BACKGROUND_RATE:-10000}
auth_rounds=${BENCH_AUTH_ROUNDS:-10}
auth_secs=${BENCH_AUTH_SECONDS:-6}
base=${BENCH_PORT_BASE:-27100}
replicas=2
export INGEST_RPC_PORT=$((base + 1)) DETECTION_RPC_PORT=$((base + 2)) ALERTING_RPC_PORT=$((base + 3))
export SCHEDULING_RPC_PORT=$((base + 4)) GATEWAY_HTTP_PORT=$((base + 80))
# The benchmark measures the gateway, not its per-key rate limit: the admin key it uses gets a high one.
export GATEWAY_RATE_LIMIT_ADMIN=${GATEWAY_RATE_LIMIT_ADMIN:-1000000} GATEWAY_RATE_LIMIT_DEVICE=${GATEWAY_RATE_LIMIT_DEVICE:-1000000}
gateway_port=$GATEWAY_HTTP_PORT
seed_port=$((base + 90))
detection_addresses=()
for ((i = 0; i < replicas; i++)); do detection_addresses+=("127.0.0.1:$((DETECTION_RPC_PORT + 10 * i))"); done
export DETECTION_RPC_ADDRESSES
DETECTION_RPC_ADDRESSES=$(IFS=,; echo "${detection_addresses[*]}")
for port in "$INGEST_RPC_PORT" "$DETECTION_RPC_PORT" $((DETECTION_RPC_PORT + 10)) "$ALERTING_RPC_PORT" \
  "$SCHEDULING_RPC_PORT" "$gateway_port" "$seed_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is in use; set BENCH_PORT_BASE to another base" >&2
    exit 1
  fi
done

tmp=$(mktemp -d /tmp/bench-gateway.XXXXXX)
export PM_DATA_DIR=$tmp
mkdir -p "$tmp/logs"
PM_RPC_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export PM_RPC_TOKEN
results=$tmp/results.jsonl
: >"$results"

pids=()
seed_pid=""
finish() {
  local status=$?
  trap - INT TERM EXIT
  [ -n "$seed_pid" ] && { kill -TERM "$seed_pid" 2>/dev/null || true; }
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  [ -n "$seed_pid" ] && { wait "$seed_pid" 2>/dev/null || true; }
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -eq 0 ] && [ -z "${BENCH_KEEP:-}" ]; then
    rm -rf "$tmp"
  else
    echo "Data, logs and raw results kept in $tmp"
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

logs="$tmp/logs"
# shellcheck source=scripts/start-supervised.sh
source scripts/start-supervised.sh

# run_wrk LABEL ours|seed PORT CONNECTIONS SECONDS MODE [LUA ARGS...]: one wrk run with rest.lua; appends
# its figures, wrk's CPU, the server's CPU (its whole process tree) and the gateway's own to $results
# and prints them.
run_wrk() {
  local label=$1 server=$2 port=$3 connections=$4 seconds=$5 mode=$6
  shift 6
  local threads=$((connections < 2 ? connections : 2))
  local roots=("${pids[@]}")
  [ "$server" = seed ] && roots=("$seed_pid")
  local cpu0 cpu1 gateway0 gateway1 user system real json
  cpu0=$("$py" "$tools/prepare.py" cpu "${roots[@]}")
  gateway0=$("$py" "$tools/prepare.py" cpu "$gateway_pid")
  local TIMEFORMAT='%U %S %R'
  { time wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 30s -s "$tools/rest.lua" \
    "http://127.0.0.1:$port" -- "mode=$mode" "label=$label" "$@" >"$tmp/wrk-$label.out" 2>&1; } 2>"$tmp/time-$label"
  cpu1=$("$py" "$tools/prepare.py" cpu "${roots[@]}")
  gateway1=$("$py" "$tools/prepare.py" cpu "$gateway_pid")
  read -r user system real <"$tmp/time-$label"
  json=$(sed -n 's/^WRK_JSON //p' "$tmp/wrk-$label.out")
  if [ -z "$json" ]; then
    echo "wrk gave no summary for $label:" >&2
    cat "$tmp/wrk-$label.out" >&2
    exit 1
  fi
  local line
  line=$(printf '{"label":"%s","server":"%s","connections":%d,"client_cpu_s":%s,"client_wall_s":%s,"server_cpu_s":%s,"gateway_cpu_s":%s,"wrk":%s}' \
    "$label" "$server" "$connections" "$(awk "BEGIN { print $user + $system }")" "$real" "$(awk "BEGIN { print $cpu1 - $cpu0 }")" \
    "$(awk "BEGIN { print $gateway1 - $gateway0 }")" "$json")
  echo "$line" >>"$results"
  echo "$line" | "$py" "$tools/report.py" line
}

echo "Starting our system (data and logs in $tmp):"
start ingest ingest
for ((i = 0; i < replicas; i++)); do
  DETECTION_SHARD_COUNT=$replicas DETECTION_SHARD_INDEX=$i DETECTION_RPC_PORT=$((DETECTION_RPC_PORT + 10 * i)) \
    start "detection-$i" detection
done
for service in alerting scheduling; do
  start "$service" "$service"
done
# Requests marked X-PM-Benchmark-Without-Auth skip the key check: section 1 compares them with keyed ones.
GATEWAY_BENCHMARK_WITHOUT_AUTH=true start gateway gateway
gateway_pid=${pids[-1]}
# The admin key the gateway created in the fresh data folder: every tool sends it (the seed ignores it).
PM_API_KEY=$(cat "$tmp/admin-key")
export PM_API_KEY
device_key=$("$bin/gateway" keys create --name bench-device --role device 2>/dev/null)
echo "Starting the seed's reference server on 127.0.0.1:$seed_port (SQLite in $tmp/seedref.db)"
# The test venv has plain uvicorn (h11, asyncio), not uvicorn[standard] (httptools, uvloop) as the seed pins.
SEEDREF_DB=$tmp/seedref.db "$root/.venv-test/bin/uvicorn" app:app --app-dir "$seedref_dir" --host 127.0.0.1 \
  --port "$seed_port" --workers 1 >"$tmp/logs/seedref.log" 2>&1 &
seed_pid=$!
"$py" "$tools/prepare.py" wait "$gateway_port" 30
"$py" "$tools/prepare.py" wait "$seed_port" 60

echo
echo "Warming up (detection on: both servers have a model for machines 1-6 before measuring):"
"$py" "$tools/prepare.py" warm-ours "$gateway_port" 1,2,3,4,5,6 150
"$py" "$tools/prepare.py" warm-seed "$seed_port" 1,2,3,4,5,6 55
load_ids=$("$py" "$tools/prepare.py" register "$gateway_port" 10 bench-load)

echo
echo "1. The cost of authentication: POST /api/sensor-data c=64 with a device key vs the same requests without"
echo "   authentication on the same gateway, alternating ($auth_rounds rounds of ${auth_secs} s each, the order"
echo "   swapped every round):"
for ((round = 1; round <= auth_rounds; round++)); do
  if ((round % 2)); then
    PM_API_KEY=$device_key run_wrk "auth-on-$round" ours "$gateway_port" 64 "$auth_secs" sensor
    PM_API_KEY="" PM_BENCH_WITHOUT_AUTH=1 run_wrk "auth-off-$round" ours "$gateway_port" 64 "$auth_secs" sensor
  else
    PM_API_KEY="" PM_BENCH_WITHOUT_AUTH=1 run_wrk "auth-off-$round" ours "$gateway_port" 64 "$auth_secs" sensor
    PM_API_KEY=$device_key run_wrk "auth-on-$round" ours "$gateway_port" 64 "$auth_secs" sensor
  fi
done
if [ -n "${BENCH_AUTH_ONLY:-}" ]; then
  "$py" "$tools/report.py" table "$results"
  exit 0
fi

echo
echo "2. POST /api/sensor-data, the seed's body over machines 1-6 (ours ${secs} s, seed ${seed_secs} s per point):"
for c in 1 8 64; do
  run_wrk "sensor-c$c-ours" ours "$gateway_port" "$c" "$secs" sensor
  run_wrk "sensor-c$c-seed" seed "$seed_port" "$c" "$seed_secs" sensor
  # The seed serves one request at a time: let it finish what wrk left queued before the next run.
  "$py" "$tools/prepare.py" drain "$seed_port"
done

echo
echo "3. GET /api/dashboard-stats, c=8, ${dash_secs} s each:"
stored_ours=$("$py" "$tools/prepare.py" stats "$gateway_port" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["readings_24h"])')
stored_seed=$("$py" "$tools/prepare.py" stats "$seed_port" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["readings_24h"])')
echo "{\"label\":\"stored\",\"ours\":$stored_ours,\"seed\":$stored_seed}" >>"$results"
echo "  readings stored: ours $stored_ours, seed $stored_seed"
run_wrk dashboard-ours ours "$gateway_port" 8 "$dash_secs" dashboard
run_wrk dashboard-seed seed "$seed_port" 8 "$dash_secs" dashboard

echo
echo "4. POST /api/sensor-data/batch, 1,000 JSON readings per request over 10 machines, c=4, ${secs} s (ours only):"
run_wrk batch-ours ours "$gateway_port" 4 "$secs" batch "ids=$load_ids" size=1000
caught_up=$("$py" "$tools/prepare.py" catch-up "$gateway_port" 180)
echo "  Detection caught up with the batch run's readings ${caught_up} s after it ended"

echo
echo "5. Reading -> /ws alert latency under ${background_rate} readings/s of background load (ours only):"
"$py" "$tools/ws_latency.py" --port "$gateway_port" --samples "$ws_samples" --max-seconds 90 \
  --background-rate "$background_rate" --background-ids "$load_ids" | tee "$tmp/ws.out" | { grep -v '^WS_JSON ' || true; }
ws_json=$(sed -n 's/^WS_JSON //p' "$tmp/ws.out")
[ -n "$ws_json" ] || { echo "ws_latency.py gave no summary" >&2; exit 1; }
echo "{\"label\":\"ws\",\"ws\":$ws_json}" >>"$results"

echo
echo "Results (same run, same machine; $(nproc) cores shared by clients and servers, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
"$py" "$tools/report.py" table "$results"
echo "  note: the seed runs under the test venv's plain uvicorn (h11 on asyncio), not the uvicorn[standard]"
echo "  (httptools, uvloop) it pins; its per-request HTTP cost is a small part of its sensor-data figures."
restarts=$(grep -l "restarting" "$tmp"/logs/*.log 2>/dev/null || true)
if [ -n "$restarts" ]; then
  echo "warning: a process died and was restarted during the run: $restarts" >&2
  BENCH_KEEP=1
fi
