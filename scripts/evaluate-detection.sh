#!/usr/bin/env bash
# make evaluate-detection: the default detector judged end to end on a simulated week with injected
# faults. Builds release, starts Ingest, two Detection replicas, Alerting, Scheduling and the gateway
# from the release binaries in a temporary data folder on ports of their own (EVAL_PORT_BASE, default
# 27400: clear of `make run` and bench-gateway), then:
#   1. connects Benchmarks/Detection/simulator_eval.py to the gateway's /ws, where it records every
#      alert event (each RaiseAlert Detection makes, with the alert as it stood after it);
#   2. runs the simulator in backfill mode: EVAL_HOURS (168) of history at 1 reading/s for each of
#      Ingest's six demo machines, seed EVAL_SEED (2026), EVAL_FAULTS_PER_DAY (1) faults started per
#      machine per day on average (EVAL_FAULT_TIME_SCALE, default 1: faults last as long as in life),
#      each written to the ground-truth CSV;
#   3. waits until both replicas have scored every stored reading and delivered their alerts
#      (their /metrics; EVAL_WAIT_SECONDS, default 1800, at most);
#   4. prints, per fault kind and overall, false alerts per machine-week on healthy stretches, the
#      share of faults detected before they end, the median lead time and whether the alert named the
#      sensor the fault drives, against the goals (simulator_eval.py's docstring has the definitions).
# EVAL_GRACE_MINUTES (60): how long after a fault's end an alert still belongs to it.
# EVAL_START_HOUR (0): the UTC hour the history starts at. The simulated load follows the hour of day and
# the history ends when the run starts, so the history is lengthened by less than 24 h to start at that
# hour: runs made at different times of day see the same machines' days ("" keeps EVAL_HOURS exactly).
# EVAL_KEEP=1 keeps the data folder, logs and recorded events.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

hours=${EVAL_HOURS:-168}
seed=${EVAL_SEED:-2026}
faults_per_day=${EVAL_FAULTS_PER_DAY:-1}
time_scale=${EVAL_FAULT_TIME_SCALE:-1}
grace=${EVAL_GRACE_MINUTES:-60}
wait_limit=${EVAL_WAIT_SECONDS:-1800}
start_hour=${EVAL_START_HOUR-0}
if [ -n "$start_hour" ] && ! [[ "$start_hour" =~ ^(0?[0-9]|1[0-9]|2[0-3])$ ]]; then
  echo "error: EVAL_START_HOUR must be a UTC hour from 0 to 23 (or empty), got '$start_hour'" >&2
  exit 2
fi
base=${EVAL_PORT_BASE:-27400}
replicas=2

swift build -c release
bin=$(swift build -c release --show-bin-path)
py=python3
evaluator=$root/Benchmarks/Detection/simulator_eval.py

export INGEST_RPC_PORT=$((base + 1)) DETECTION_RPC_PORT=$((base + 2)) ALERTING_RPC_PORT=$((base + 3))
export SCHEDULING_RPC_PORT=$((base + 4)) GATEWAY_HTTP_PORT=$((base + 80))
ingest_metrics=$((base + 51))
detection_metrics=$((base + 52))
detection_addresses=()
for ((i = 0; i < replicas; i++)); do detection_addresses+=("127.0.0.1:$((DETECTION_RPC_PORT + 10 * i))"); done
export DETECTION_RPC_ADDRESSES
DETECTION_RPC_ADDRESSES=$(IFS=,; echo "${detection_addresses[*]}")
for port in "$INGEST_RPC_PORT" "$DETECTION_RPC_PORT" $((DETECTION_RPC_PORT + 10)) "$ALERTING_RPC_PORT" \
  "$SCHEDULING_RPC_PORT" "$GATEWAY_HTTP_PORT" "$ingest_metrics" "$detection_metrics" $((detection_metrics + 10)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is in use; set EVAL_PORT_BASE to another base" >&2
    exit 1
  fi
done

tmp=$(mktemp -d /tmp/evaluate-detection.XXXXXX)
export PM_DATA_DIR=$tmp
mkdir -p "$tmp/logs"
PM_RPC_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export PM_RPC_TOKEN
truth=$tmp/simulator-faults.csv
events=$tmp/alert-events.jsonl

pids=()
helper_pids=()
finish() {
  local status=$?
  trap - INT TERM EXIT
  for pid in "${helper_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${helper_pids[@]}" "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -eq 0 ] && [ -z "${EVAL_KEEP:-}" ]; then
    rm -rf "$tmp"
  else
    echo "Data, logs and recorded alert events kept in $tmp"
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

logs="$tmp/logs"
# shellcheck source=scripts/start-supervised.sh
source scripts/start-supervised.sh

echo "Starting the system (data and logs in $tmp):"
INGEST_METRICS_PORT=$ingest_metrics start ingest ingest
for ((i = 0; i < replicas; i++)); do
  DETECTION_SHARD_COUNT=$replicas DETECTION_SHARD_INDEX=$i DETECTION_RPC_PORT=$((DETECTION_RPC_PORT + 10 * i)) \
    DETECTION_METRICS_PORT=$((detection_metrics + 10 * i)) start "detection-$i" detection
done
for service in alerting scheduling gateway; do
  start "$service" "$service"
done
PM_API_KEY=$(cat "$tmp/admin-key")
export PM_API_KEY

"$py" "$evaluator" collect --port "$GATEWAY_HTTP_PORT" --out "$events" 2>"$logs/collector.log" &
helper_pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$events.ready" ] && break
  kill -0 "${helper_pids[-1]}" 2>/dev/null || { cat "$logs/collector.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$events.ready" ] || { echo "the /ws collector did not connect in 10 s; see $logs/collector.log" >&2; exit 1; }

if [ -n "$start_hour" ]; then
  hours=$("$py" -c "import sys, time; h, start = float(sys.argv[1]), int(sys.argv[2]); \
print(f'{h + (time.time() / 3600 - h - start) % 24:.3f}')" "$hours" "$start_hour")
  echo
  echo "The history starts at hour ${start_hour} UTC: ${hours} h."
fi
echo
echo "Simulating ${hours} h of history for the demo fleet (1 reading/s per machine, seed $seed, $faults_per_day faults"
echo "per machine per day, fault time scale $time_scale) into Ingest over the RPC:"
started=$SECONDS
# --duration-seconds 1: the first step sends the whole backfill, then the simulator stops.
"$bin/simulator" --backfill-hours "$hours" --rate 1 --seed "$seed" --faults-per-day "$faults_per_day" \
  --fault-time-scale "$time_scale" --duration-seconds 1 --truth-file "$truth" >"$logs/simulator.log.out" 2>"$logs/simulator.log" &
helper_pids+=($!)
wait "${helper_pids[-1]}" || { echo "the simulator failed; its log:" >&2; tail -20 "$logs/simulator.log" >&2; exit 1; }
echo "  $(grep -c . "$truth" | awk '{ print $1 - 1 }') faults injected; readings stored in $((SECONDS - started)) s"

echo "Waiting for Detection to score every reading and deliver its alerts (at most ${wait_limit} s):"
"$py" "$evaluator" wait --ingest-metrics "$ingest_metrics" \
  --detection-metrics "$detection_metrics,$((detection_metrics + 10))" --seconds "$wait_limit"
echo "  done $((SECONDS - started)) s after the simulator started"

echo
"$py" "$evaluator" report --port "$GATEWAY_HTTP_PORT" --truth "$truth" --events "$events" --grace-minutes "$grace" \
  --hours "$hours" --seed "$seed" --faults-per-day "$faults_per_day" --fault-time-scale "$time_scale"
restarts=$(grep -l "restarting" "$logs"/*.log 2>/dev/null || true)
if [ -n "$restarts" ]; then
  echo "warning: a process died and was restarted during the run: $restarts" >&2
  EVAL_KEEP=1
fi
