#!/usr/bin/env bash
# Builds and starts the whole system on this machine: every service as its own process, then the
# gateway, then the sensor simulator. SQLite files and logs go to $PM_DATA_DIR (default ./data). Ctrl-C stops everything gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-plotly and python3-flasgger hold the dashboard's charts and the API viewer the gateway serves.
scripts/install-deps.sh python3-plotly python3-flasgger
swift build -c release
bin=$(swift build -c release --show-bin-path)

export PM_DATA_DIR="${PM_DATA_DIR:-$PWD/data}"
mkdir -p "$PM_DATA_DIR/logs"
# One shared secret for the internal RPC, kept with the data so restarts reuse it.
token_file="$PM_DATA_DIR/rpc-token"
if [ -z "${PM_RPC_TOKEN:-}" ]; then
  [ -s "$token_file" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$token_file")
  PM_RPC_TOKEN=$(cat "$token_file")
  export PM_RPC_TOKEN
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  # The gateway first, then the services in reverse start order, each draining in-flight calls (the
  # supervisors pass SIGTERM on).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
  exit 0
}
trap stop_all INT TERM EXIT

logs="$PM_DATA_DIR/logs"
# shellcheck source=scripts/start-supervised.sh
source scripts/start-supervised.sh

# Detection runs as DETECTION_REPLICAS processes (default 2), replica i owning the machines with
# id % replicas == i, on port DETECTION_RPC_PORT + 10*i; the gateway calls each machine's owner.
replicas=${DETECTION_REPLICAS:-2}
detection_port=${DETECTION_RPC_PORT:-7102}
detection_addresses=()
for ((i = 0; i < replicas; i++)); do detection_addresses+=("127.0.0.1:$((detection_port + 10 * i))"); done
export DETECTION_RPC_ADDRESSES
DETECTION_RPC_ADDRESSES=$(IFS=,; echo "${detection_addresses[*]}")

# Prometheus metrics: each service on its own port (ingest 9101, detection replica i 9102 + 10*i,
# alerting 9103, scheduling 9104); the gateway's on its HTTP port at /metrics.
echo "Starting the system (data and logs in $PM_DATA_DIR):"
INGEST_METRICS_PORT=${INGEST_METRICS_PORT:-9101} start ingest ingest
for ((i = 0; i < replicas; i++)); do
  DETECTION_SHARD_COUNT=$replicas DETECTION_SHARD_INDEX=$i DETECTION_RPC_PORT=$((detection_port + 10 * i)) \
    DETECTION_METRICS_PORT=$((9102 + 10 * i)) start "detection-$i" detection
done
ALERTING_METRICS_PORT=${ALERTING_METRICS_PORT:-9103} start alerting alerting
SCHEDULING_METRICS_PORT=${SCHEDULING_METRICS_PORT:-9104} start scheduling scheduling
start gateway gateway
url="http://${GATEWAY_HTTP_HOST:-127.0.0.1}:${GATEWAY_HTTP_PORT:-8080}"

# The simulator posts its readings through the gateway, as a plant's collector would, with a device key
# of its own: created once per data folder into $PM_DATA_DIR/simulator-key (0600), and again when the
# key store no longer holds it active (a deleted gateway.sqlite, a revoked key). The gateway has
# announced ready, so its key store exists.
simulator_key_file="$PM_DATA_DIR/simulator-key"
simulator_key_prefix=$(sed -n 's/^pm_\([0-9a-f]\{8\}\)_.*/\1/p' "$simulator_key_file" 2>/dev/null || true)
if [ -z "$simulator_key_prefix" ] || ! "$bin/gateway" keys list |
  awk -F'\t' -v prefix="$simulator_key_prefix" '$1 == prefix && $2 == "device" && $6 == "active" { found = 1 } END { exit !found }'; then
  # The key on stdout goes to the file; the line naming its prefix (stderr) to the terminal.
  (umask 077 && "$bin/gateway" keys create --name simulator --role device 2>&1 >"$simulator_key_file.new" | sed 's/^/  /')
  mv "$simulator_key_file.new" "$simulator_key_file"
fi
# The sensor simulator: six hours of history first, then live readings every second; about one fault
# an hour per machine, unfolding 60x faster than in life (minutes instead of hours). SIMULATOR_ARGS overrides.
# The key goes in its environment, not its arguments, which `ps` shows.
# shellcheck disable=SC2086
SIMULATOR_API_KEY=$(cat "$simulator_key_file") start simulator simulator --gateway "$url" \
  ${SIMULATOR_ARGS:---backfill-hours 6 --rate 1 --faults-per-day 24 --fault-time-scale 60}

echo
# The gateway creates the first admin key on a fresh data folder (mode 0600); the URL signs the browser
# in once and the page removes the key from the address bar.
echo "Dashboard: $url/?key=$(cat "$PM_DATA_DIR/admin-key")"
echo "           (the admin key is in $PM_DATA_DIR/admin-key; more keys: $bin/gateway keys create --name NAME --role viewer)"
echo "API docs:  $url/docs"
echo "Health:    $url/health   Metrics: $url/metrics"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}" || true
echo "A supervisor exited; stopping the rest." >&2
